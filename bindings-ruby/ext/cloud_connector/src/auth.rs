//! Key sources, the composite provider and `authenticate` for Ruby services (mirrors the Python
//! package's API). The core does the work; whatever may check a signature or fetch keys runs
//! without the GVL (gvl.rs), so an OIDC fetch does not stop other Ruby threads.

use std::sync::Arc;

use magnus::r_hash::ForEach;
use magnus::typed_data::Obj;
use magnus::{
    function, gc, method, prelude::*, DataTypeFunctions, Error, RArray, RHash, RModule, RString,
    Ruby, Symbol, TypedData, Value,
};
use serde_json::Value as Json;

use cloud_connector::auth::{
    authenticate, AuthProvider, CloudConnectorUser, CompositeProvider, KeySource,
    LocalAuthProvider, OidcProvider, StaticJwksProvider, UserClaims,
};
use cloud_connector::options;
use cloud_connector::Cause;

use crate::claims::{claims_to_ruby, FrozenClaims};
use crate::convert::{json_to_ruby, ruby_args, ruby_to_json, Keys};
use crate::gvl::without_gvl;
use crate::{invalid_argument, lift};

type Res<T> = Result<T, Error>;

/// One of the core's key sources.
#[magnus::wrap(
    class = "Gitlab::CloudConnector::Native::KeySource",
    free_immediately,
    size
)]
pub struct RbKeySource {
    inner: Arc<dyn KeySource>,
}

impl RbKeySource {
    /// Local PEMs (private or public); an empty PEM is "not configured".
    fn local(signing: String, validation: String, service_name: Option<String>) -> RbKeySource {
        let mut p = LocalAuthProvider::new(&signing, &validation);
        if let Some(name) = service_name {
            p = p.with_service_name(name);
        }
        RbKeySource { inner: Arc::new(p) }
    }

    /// A fixed JWKS (Hash or JSON String); never touches the network.
    fn static_jwks(ruby: &Ruby, name: String, jwks: Value) -> Res<RbKeySource> {
        let text = match RString::from_value(jwks) {
            Some(s) => s.to_string()?,
            None => ruby_to_json(ruby, jwks)?.to_string(),
        };
        Ok(RbKeySource {
            inner: Arc::new(lift(ruby, StaticJwksProvider::from_json(name, &text))?),
        })
    }

    /// OIDC discovery at `base_url` -> `jwks_uri`; options (`timeout_seconds`, `ca_bundle`) as
    /// the core names them.
    fn oidc(ruby: &Ruby, name: String, base_url: String, options: RHash) -> Res<RbKeySource> {
        let config = lift(ruby, options::http_config(&ruby_args(ruby, options)?))?;
        Ok(RbKeySource {
            inner: Arc::new(OidcProvider::new(name, &base_url, config)),
        })
    }

    fn name(&self) -> String {
        self.inner.name().to_owned()
    }

    /// The source's keys as a JWKS Hash (String keys), or the typed error.
    fn load(ruby: &Ruby, rb_self: &Self) -> Res<Value> {
        let inner = &rb_self.inner;
        let keys = lift(ruby, without_gvl(|| inner.load()))?;
        json_to_ruby(ruby, &keys.to_jwks(), Keys::Strings)
    }
}

/// The core's composite provider: sources in order, cached JWKS, verified-token cache.
#[derive(TypedData)]
#[magnus(
    class = "Gitlab::CloudConnector::Native::CompositeProvider",
    free_immediately,
    size,
    mark
)]
pub struct RbComposite {
    inner: CompositeProvider,
}

impl DataTypeFunctions for RbComposite {
    /// The deep-frozen claims kept in the token cache entries' memos stay alive while their
    /// entries do. The core never calls into Ruby while it holds the cache, so this lock is
    /// never held by the thread the GC runs on.
    fn mark(&self, marker: &gc::Marker) {
        for memo in self.inner.claims_memos() {
            if let Some(frozen) = memo.downcast_ref::<FrozenClaims>() {
                frozen.mark(marker);
            }
        }
    }
}

impl RbComposite {
    /// `new(sources, options)`: options as the core names them (`options::COMPOSITE_OPTIONS`);
    /// only those the caller set, the core holds the defaults.
    fn new(ruby: &Ruby, sources: RArray, options: RHash) -> Res<RbComposite> {
        let config = lift(ruby, options::composite_config(&ruby_args(ruby, options)?))?;
        let mut list: Vec<Arc<dyn KeySource>> = Vec::with_capacity(sources.len());
        for item in sources.into_iter() {
            let source = Obj::<RbKeySource>::try_convert(item).map_err(|_| {
                invalid_argument(
                    ruby,
                    "sources: expected Gitlab::CloudConnector::KeySource objects".to_owned(),
                )
            })?;
            list.push(Arc::clone(&source.inner));
        }
        Ok(RbComposite {
            inner: CompositeProvider::new(list, config),
        })
    }

    fn jwks(ruby: &Ruby, rb_self: &Self) -> Res<Value> {
        json_to_ruby(ruby, &rb_self.inner.jwks(), Keys::Strings)
    }

    fn ready(&self) -> bool {
        self.inner.ready()
    }

    fn refresh(&self) {
        let inner = &self.inner;
        without_gvl(|| inner.refresh());
    }

    fn cached_tokens(&self) -> usize {
        self.inner.cached_tokens()
    }

    /// Key refreshes completed so far (the core's count: every load of the sources).
    fn refreshes(&self) -> u64 {
        self.inner.refreshes()
    }

    /// Claims (String keys, frozen String values; the caller's own Hash) of a valid token for
    /// `audience` (a String or Symbol, or an Array of them), or the typed error.
    fn verify(ruby: &Ruby, rb_self: &Self, token: String, audience: Value) -> Res<Value> {
        let audiences = audience_list(ruby, audience)?;
        let auds: Vec<&str> = audiences.iter().map(String::as_str).collect();
        // A cache hit answers at once; anything else may check a signature or fetch keys, so
        // other Ruby threads run meanwhile.
        let verified = match rb_self.inner.verify_cached(&token, &auds) {
            Some(v) => v,
            None => {
                let inner = &rb_self.inner;
                lift(ruby, without_gvl(|| inner.verify(&token, &auds)))?
            }
        };
        // Converted and deep-frozen once per token cache entry, in the entry's own memo; the
        // caller gets a thawed copy. Without a cache entry, the caller's own Hash at once.
        let Some(memo) = &verified.memo else {
            return Ok(claims_to_ruby(ruby, &verified.claims, false)?.as_value());
        };
        let frozen = match memo.get().and_then(|c| c.downcast_ref::<FrozenClaims>()) {
            Some(frozen) => frozen,
            None => {
                let made = FrozenClaims::new(ruby, &verified.claims)?;
                match memo.keep(Cause::new(made)).downcast_ref::<FrozenClaims>() {
                    Some(frozen) => frozen,
                    None => return Ok(claims_to_ruby(ruby, &verified.claims, false)?.as_value()),
                }
            }
        };
        Ok(frozen.thaw(ruby)?.as_value())
    }
}

fn user_claims_to_ruby(ruby: &Ruby, c: &UserClaims) -> Res<RHash> {
    let h = ruby.hash_new();
    let sym = |s: &str| ruby.to_symbol(s);
    h.aset(sym("gitlab_realm"), c.gitlab_realm.as_str())?;
    h.aset(sym("scopes"), ruby.ary_from_vec(c.scopes.clone()))?;
    h.aset(sym("subject"), c.subject.as_str())?;
    h.aset(sym("issuer"), c.issuer.as_str())?;
    h.aset(sym("duo_seat_count"), c.duo_seat_count.as_str())?;
    h.aset(
        sym("gitlab_instance_id"),
        json_to_ruby(ruby, &c.gitlab_instance_id, Keys::Strings)?,
    )?;
    h.aset(sym("gitlab_instance_uid"), c.gitlab_instance_uid.as_str())?;
    let extra = match &c.extra {
        Some(m) => json_to_ruby(ruby, &Json::Object(m.clone()), Keys::Strings)?,
        None => ruby.qnil().as_value(),
    };
    h.aset(sym("extra"), extra)?;
    Ok(h)
}

fn user_to_ruby(ruby: &Ruby, u: &CloudConnectorUser) -> Res<RHash> {
    let h = ruby.hash_new();
    h.aset(ruby.to_symbol("authenticated"), u.authenticated)?;
    h.aset(ruby.to_symbol("is_debug"), u.is_debug)?;
    h.aset(
        ruby.to_symbol("global_user_id"),
        u.global_user_id.as_deref(),
    )?;
    let claims = match &u.claims {
        Some(c) => user_claims_to_ruby(ruby, c)?.as_value(),
        None => ruby.qnil().as_value(),
    };
    h.aset(ruby.to_symbol("claims"), claims)?;
    Ok(h)
}

/// `[user Hash, error message or nil]`. `headers`: a Hash of String names to String values
/// (other entries are ignored); names are case-insensitive, as in the core.
/// One audience (String or Symbol), an Array of them, or nil (none), as the names the core
/// compares.
pub fn audience_list(ruby: &Ruby, audience: Value) -> Res<Vec<String>> {
    if audience.is_nil() {
        return Ok(Vec::new());
    }
    match RArray::from_value(audience) {
        Some(a) => a
            .into_iter()
            .map(|item| audience_name(ruby, item))
            .collect(),
        None => Ok(vec![audience_name(ruby, audience)?]),
    }
}

fn audience_name(ruby: &Ruby, v: Value) -> Res<String> {
    if let Some(s) = RString::from_value(v) {
        return s.to_string();
    }
    match Symbol::from_value(v) {
        Some(s) => Ok(s.name()?.into_owned()),
        None => Err(invalid_argument(
            ruby,
            "audience: expected a String, a Symbol or an Array of them".to_owned(),
        )),
    }
}

fn authenticate_request(
    ruby: &Ruby,
    headers: RHash,
    provider: Option<Obj<RbComposite>>,
    bypass_auth: bool,
    service_name: Option<String>,
) -> Res<(RHash, Option<String>)> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    headers.foreach(|k: Value, v: Value| {
        if let (Some(k), Some(v)) = (RString::from_value(k), RString::from_value(v)) {
            pairs.push((k.to_string()?, v.to_string()?));
        }
        Ok(ForEach::Continue)
    })?;
    let with = provider
        .as_ref()
        .map(|p| p.inner.bound_to(service_name.clone().map(|a| vec![a])));
    let outcome = lift(
        ruby,
        without_gvl(|| {
            authenticate(
                pairs,
                with.as_ref().map(|w| w as &dyn AuthProvider),
                bypass_auth,
                service_name.as_deref(),
            )
        }),
    )?;
    Ok((user_to_ruby(ruby, &outcome.user)?, outcome.error))
}

/// The core's `CloudConnectorUser::can` for a user's fields: debug users may; a disallowed issuer
/// may not; otherwise the scope must be among `scopes`.
fn user_can(
    unit_primitive: String,
    is_debug: bool,
    scopes: Option<Vec<String>>,
    issuer: String,
    disallowed_issuers: Vec<String>,
) -> bool {
    let user = CloudConnectorUser {
        authenticated: true,
        is_debug,
        global_user_id: None,
        claims: scopes.map(|scopes| {
            Arc::new(UserClaims {
                scopes,
                issuer,
                ..UserClaims::default()
            })
        }),
        ..CloudConnectorUser::default()
    };
    let refs: Vec<&str> = disallowed_issuers.iter().map(String::as_str).collect();
    user.can(&unit_primitive, &refs)
}

/// The scopes that are unit primitives of the embedded catalog (names or aliases), in order.
fn known_unit_primitives(scopes: Vec<String>) -> Vec<String> {
    cloud_connector::auth::known_unit_primitives(
        scopes.iter().map(String::as_str),
        cloud_connector::Catalog::embedded(),
    )
}

pub fn init(ruby: &Ruby, native: RModule) -> Res<()> {
    native.define_module_function("authenticate", function!(authenticate_request, 4))?;
    native.define_module_function("user_can", function!(user_can, 5))?;
    native.define_module_function("known_unit_primitives", function!(known_unit_primitives, 1))?;

    let s = native.define_class("KeySource", ruby.class_object())?;
    s.define_singleton_method("local", function!(RbKeySource::local, 3))?;
    s.define_singleton_method("static_jwks", function!(RbKeySource::static_jwks, 2))?;
    s.define_singleton_method("oidc_with", function!(RbKeySource::oidc, 3))?;
    s.define_method("name", method!(RbKeySource::name, 0))?;
    s.define_method("load", method!(RbKeySource::load, 0))?;

    let c = native.define_class("CompositeProvider", ruby.class_object())?;
    c.define_singleton_method("build", function!(RbComposite::new, 2))?;
    c.define_method("jwks", method!(RbComposite::jwks, 0))?;
    c.define_method("ready?", method!(RbComposite::ready, 0))?;
    c.define_method("refresh", method!(RbComposite::refresh, 0))?;
    c.define_method("cached_tokens", method!(RbComposite::cached_tokens, 0))?;
    c.define_method("refreshes", method!(RbComposite::refreshes, 0))?;
    c.define_method("verify", method!(RbComposite::verify, 2))?;
    Ok(())
}
