//! Header names (python-api.md §2) and the case-insensitive view of a request's headers.

/// Carries `Bearer <token>`.
pub const AUTH_HEADER: &str = "Authorization";
/// Must be [`OIDC_AUTH`].
pub const AUTH_TYPE_HEADER: &str = "X-Gitlab-Authentication-Type";
/// Lower case on purpose: callers compare `scheme.lower()` against it.
pub const PREFIX_BEARER_HEADER: &str = "bearer";
/// The only accepted authentication type.
pub const OIDC_AUTH: &str = "oidc";
/// The user's global id, passed through to [`CloudConnectorUser::global_user_id`](super::CloudConnectorUser::global_user_id).
pub const X_GITLAB_GLOBAL_USER_ID_HEADER: &str = "X-Gitlab-Global-User-Id";
/// Must equal the token's `gitlab_realm` when both are set.
pub const X_GITLAB_REALM_HEADER: &str = "X-Gitlab-Realm";
/// Must equal the token's `gitlab_instance_id` when both are set.
pub const X_GITLAB_INSTANCE_ID_HEADER: &str = "X-Gitlab-Instance-Id";
/// The instance's host name (not checked).
pub const X_GITLAB_HOST_NAME_HEADER: &str = "X-Gitlab-Host-Name";
/// The instance's GitLab version (not checked).
pub const X_GITLAB_VERSION_HEADER: &str = "X-Gitlab-Version";
/// The seat count, logged only.
pub const X_GITLAB_DUO_SEAT_COUNT_HEADER: &str = "X-Gitlab-Duo-Seat-Count";

/// A request's headers as given, looked up by any spelling of the name; values untouched. When two
/// names differ only in case, the later one wins (as building a dict does). The pairs are kept as
/// the caller passed them (borrowed `&str`s stay borrowed): `authenticate` runs on every request
/// of a sidecar, and copying each header (the bearer token among them) was a measurable share of
/// its cost.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Headers<K = String, V = String>(Vec<(K, V)>);

impl<K: AsRef<str>, V: AsRef<str>> Headers<K, V> {
    /// Headers from `(name, value)` pairs, kept as given.
    pub fn new(headers: impl IntoIterator<Item = (K, V)>) -> Headers<K, V> {
        Headers(headers.into_iter().collect())
    }

    /// The value of a header, by any spelling of its name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

/// A request's headers as `authenticate` reads them: a value by any spelling of its name, the
/// later one when a name repeats. [`Headers`] is one; a server can look into its own header map
/// instead of copying every header into one.
pub trait HeaderLookup {
    /// The value of header `name` by any spelling, the later one when it repeats.
    fn header(&self, name: &str) -> Option<&str>;
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderLookup for Headers<K, V> {
    fn header(&self, name: &str) -> Option<&str> {
        self.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_later_wins() {
        let h = Headers::new([
            ("X-Gitlab-Realm", "saas"),
            ("x-gitlab-realm", "self-managed"),
            ("A", " v "),
        ]);
        assert_eq!(h.get(X_GITLAB_REALM_HEADER), Some("self-managed"));
        assert_eq!(h.get("a"), Some(" v "));
        assert_eq!(h.get("missing"), None);
    }
}
