//! `/auth`: forward authentication for nginx `auth_request`, Traefik ForwardAuth and Envoy's HTTP
//! ext_authz. Runs the core's `authenticate` over the request's Cloud Connector headers, then
//! requires the unit primitive the request names (`X-Gitlab-Unit-Primitive`, or a `--rule` for
//! its path). 200 with identity headers, or 401/403 with a JSON error carrying a code.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use cloud_connector::auth::{
    authenticate, authenticate_headers, AuthFailure, AuthOutcome, AuthProvider, CloudConnectorUser,
    CompositeProvider, HeaderLookup,
};
use cloud_connector::quota::Identity;

use super::access_log::Decision;
use super::api::error;
use super::metrics::Outcome;
use super::quota::{with_headers, Judged};
use super::Shared;

pub const UNIT_PRIMITIVE_HEADER: &str = "x-gitlab-unit-primitive";

/// The headers an allowed answer carries: the verified identity.
pub const IDENTITY_HEADERS: &[&str] = &[
    "x-gitlab-subject",
    "x-gitlab-realm",
    "x-gitlab-instance-id",
    "x-gitlab-scopes",
    UNIT_PRIMITIVE_HEADER,
];

/// The original request path: nginx passes `X-Original-URI`, Traefik `X-Forwarded-Uri`; Envoy
/// sends the original path itself (after the `/auth` prefix it is configured with).
fn original_path(headers: &HeaderMap, uri: &Uri) -> String {
    for h in ["x-original-uri", "x-forwarded-uri"] {
        if let Some(v) = headers.get(h).and_then(|v| v.to_str().ok()) {
            return v.split('?').next().unwrap_or("").to_owned();
        }
    }
    uri.path()
        .strip_prefix("/auth")
        .filter(|p| !p.is_empty())
        .unwrap_or(uri.path())
        .to_owned()
}

/// The request's own header map as the core flow's headers: looked up in place rather than
/// copied (the bearer token among them) on each decision. Values that are not visible ASCII are
/// skipped, and the last value of a repeated name wins, as the core's `Headers` has it.
struct RequestHeaders<'a>(&'a HeaderMap);

impl HeaderLookup for RequestHeaders<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.0
            .get_all(name)
            .iter()
            .rev()
            .find_map(|v| v.to_str().ok())
    }
}

/// The composite provider's token cache alone as the core flow's provider: a token it does not
/// hold (or no longer accepts) is marked `missed` and decided again with the bound provider.
struct CacheOnly<'a> {
    provider: &'a CompositeProvider,
    audience: &'a str,
    missed: AtomicBool,
}

impl AuthProvider for CacheOnly<'_> {
    fn authenticate(&self, token: &str) -> cloud_connector::Result<CloudConnectorUser> {
        match self.provider.verify_cached(token, &[self.audience]) {
            Some(v) => CloudConnectorUser::from_verified(Ok(v)),
            None => {
                self.missed.store(true, Ordering::Relaxed);
                Ok(CloudConnectorUser::new(false))
            }
        }
    }
}

/// Takes the whole request rather than the `HeaderMap` and `Uri` extractors, which would copy
/// every header (the bearer token among them) on each decision.
pub async fn check(State(s): State<Shared>, request: Request) -> Response {
    let started = Instant::now();
    let (outcome, mut response, mut decision) =
        decide_and_judge(&s, request.uri(), request.headers()).await;
    s.metrics.record(outcome, started.elapsed());
    // The request log line (one per request, written by the logging layer) carries the decision.
    decision.result = outcome.as_str();
    response.extensions_mut().insert(decision);
    response
}

/// [`decide`], then, for a granted request, the quota gate (`--quotas`): `/auth` and the
/// `--runway` proxy judge alike.
pub async fn decide_and_judge(
    s: &Shared,
    uri: &Uri,
    headers: &HeaderMap,
) -> (Outcome, Response, Decision) {
    let (mut outcome, mut response, mut decision, who) = decide(s, uri, headers).await;
    if let (Some(gate), Some(who), Some(up)) = (&s.quotas, who, decision.unit_primitive.as_deref())
    {
        match gate.judge(&who, up).await {
            Judged::Admit(headers) => response = with_headers(response, headers),
            Judged::Refuse(refused, code) => {
                outcome = Outcome::OverQuota;
                response = refused;
                decision.code = Some(code.to_owned());
            }
        }
    }
    (outcome, response, decision)
}

/// The outcome, the answer, its log decision and, when granted, who to judge quotas by.
pub type Decided = (Outcome, Response, Decision, Option<Identity>);

pub async fn decide(s: &Shared, uri: &Uri, headers: &HeaderMap) -> Decided {
    let Some(provider) = s.provider.clone() else {
        let code = "provider_unavailable";
        return (
            Outcome::Error,
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                code,
                "no key providers configured (--keys, --jwks or --oidc)",
            ),
            Decision::coded(code),
            None,
        );
    };
    // A token the cache holds is answered right here, on the async worker; only a miss (a
    // signature check, perhaps a rate-limited refresh) goes to the blocking pool.
    let cached = CacheOnly {
        provider: &provider,
        audience: &s.audience,
        missed: AtomicBool::new(false),
    };
    let inline = authenticate_headers(
        &RequestHeaders(headers),
        Some(&cached as &dyn AuthProvider),
        false,
        Some(&s.audience),
    );
    if !cached.missed.load(Ordering::Relaxed) {
        return finish(s, uri, headers, inline);
    }
    let pairs: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    // The composite bound to the sidecar's audience: a refused token's user carries the
    // verifier's code, so the answer can say why.
    let bound = provider.bound_to(Some(vec![s.audience.clone()]));
    // A cache miss may wait for an unknown-kid refresh: keep it off the async workers.
    let audience = s.audience.clone();
    let verified = tokio::task::spawn_blocking(move || {
        authenticate(
            pairs,
            Some(&bound as &dyn AuthProvider),
            false,
            Some(&audience),
        )
    })
    .await;
    let Ok(outcome) = verified else {
        return (
            Outcome::Error,
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "verification task failed",
            ),
            Decision::coded("internal"),
            None,
        );
    };
    finish(s, uri, headers, outcome)
}

/// The answer to the core flow's outcome: 401 with the code, 403 without the unit primitive, or
/// 200 with the identity headers.
fn finish(
    s: &Shared,
    uri: &Uri,
    headers: &HeaderMap,
    outcome: cloud_connector::Result<AuthOutcome>,
) -> Decided {
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            return (
                Outcome::Error,
                error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    e.code().as_str(),
                    e.message(),
                ),
                Decision::coded(e.code().as_str()),
                None,
            )
        }
    };
    if let Some(message) = &outcome.error {
        // A refused token says why (the verifier's code); other failures have their own code.
        let code = match (outcome.failure, outcome.user.rejection) {
            (Some(AuthFailure::Forbidden), Some(reason)) => reason.as_str(),
            (failure, _) => failure.map_or("unauthorized", AuthFailure::code),
        };
        return (
            Outcome::Unauthorized,
            error(StatusCode::UNAUTHORIZED, code, message.clone()),
            Decision::coded(code),
            None,
        );
    }
    let wanted = headers
        .get(UNIT_PRIMITIVE_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| {
            let path = original_path(headers, uri);
            s.rules
                .iter()
                .find(|(prefix, _)| path.starts_with(prefix.as_str()))
                .map(|(_, up)| up.clone())
        });
    let Some(wanted) = wanted else {
        return (
            Outcome::Forbidden,
            error(StatusCode::FORBIDDEN, "unit_primitive_required", "the request names no unit primitive (X-Gitlab-Unit-Primitive) and no --rule matches its path"),
            Decision::coded("unit_primitive_required"),
            None,
        );
    };
    let allowed = outcome.user.can(&wanted, &[]);
    let who = Identity::of(&outcome.user);
    let claims = outcome.user.claims.unwrap_or_default();
    if !allowed {
        let message = format!("the token does not grant the unit primitive '{wanted}'");
        return (
            Outcome::Forbidden,
            error(StatusCode::FORBIDDEN, "missing_scope", message),
            Decision::granted(wanted, claims, Some("missing_scope")),
            None,
        );
    }
    let mut response = StatusCode::OK.into_response();
    let h = response.headers_mut();
    let instance = match &claims.gitlab_instance_id {
        serde_json::Value::String(s) => Cow::Borrowed(s.as_str()),
        serde_json::Value::Null => Cow::Borrowed(""),
        other => Cow::Owned(other.to_string()),
    };
    let scopes = claims.scopes.join(",");
    let values = [
        claims.subject.as_str(),
        claims.gitlab_realm.as_str(),
        &instance,
        &scopes,
        wanted.as_str(),
    ];
    for (name, value) in IDENTITY_HEADERS.iter().copied().zip(values) {
        // An empty claim is not an identity: send no header rather than an empty one.
        if value.is_empty() {
            continue;
        }
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    }
    (
        Outcome::Ok,
        response,
        Decision::granted(wanted, claims, None),
        Some(who),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloud_connector::auth::Headers;

    /// The request's header map answers as the core's `Headers` over the same pairs: any
    /// spelling of a name, the later value of a repeated one, values that are not visible
    /// ASCII skipped.
    #[test]
    fn request_headers_answer_as_the_core_headers() {
        let mut map = HeaderMap::new();
        map.append("x-gitlab-realm", HeaderValue::from_static("saas"));
        map.append("X-Gitlab-Realm", HeaderValue::from_static("self-managed"));
        map.append("authorization", HeaderValue::from_static("Bearer a.b.c"));
        map.append("x-gitlab-instance-id", HeaderValue::from_static("instance"));
        map.append(
            "x-gitlab-instance-id",
            HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap(),
        );
        map.append(
            "x-gitlab-host-name",
            HeaderValue::from_bytes(b"\xff").unwrap(),
        );
        let pairs: Vec<(String, String)> = map
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        let core = Headers::new(pairs);
        let ours = RequestHeaders(&map);
        for name in [
            "X-Gitlab-Realm",
            "x-gitlab-realm",
            "Authorization",
            "X-Gitlab-Instance-Id",
            "X-Gitlab-Host-Name",
            "X-Gitlab-Version",
            "not a header name",
        ] {
            assert_eq!(ours.header(name), core.header(name), "{name}");
        }
        assert_eq!(ours.header("X-GITLAB-REALM"), Some("self-managed"));
        assert_eq!(ours.header("x-gitlab-instance-id"), Some("instance"));
        assert_eq!(ours.header("x-gitlab-host-name"), None);
    }
}
