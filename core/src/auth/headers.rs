//! Header names (python-api.md §2) and the case-insensitive view of a request's headers.

use std::collections::HashMap;

pub const AUTH_HEADER: &str = "Authorization";
pub const AUTH_TYPE_HEADER: &str = "X-Gitlab-Authentication-Type";
/// Lower case on purpose: callers compare `scheme.lower()` against it.
pub const PREFIX_BEARER_HEADER: &str = "bearer";
pub const OIDC_AUTH: &str = "oidc";
pub const X_GITLAB_GLOBAL_USER_ID_HEADER: &str = "X-Gitlab-Global-User-Id";
pub const X_GITLAB_REALM_HEADER: &str = "X-Gitlab-Realm";
pub const X_GITLAB_INSTANCE_ID_HEADER: &str = "X-Gitlab-Instance-Id";
pub const X_GITLAB_HOST_NAME_HEADER: &str = "X-Gitlab-Host-Name";
pub const X_GITLAB_VERSION_HEADER: &str = "X-Gitlab-Version";
pub const X_GITLAB_DUO_SEAT_COUNT_HEADER: &str = "X-Gitlab-Duo-Seat-Count";

/// Headers with lower-cased names; values untouched. When two names differ only in case, the
/// later one wins (as building a dict does).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Headers(HashMap<String, String>);

impl Headers {
    pub fn new<K: AsRef<str>, V: AsRef<str>>(headers: impl IntoIterator<Item = (K, V)>) -> Headers {
        Headers(
            headers
                .into_iter()
                .map(|(k, v)| (k.as_ref().to_ascii_lowercase(), v.as_ref().to_owned()))
                .collect(),
        )
    }

    /// The value of a header, by any spelling of its name.
    pub fn get(&self, name: &str) -> Option<&str> {
        // The header constants are lower case already: no copy for them on every request.
        if name.bytes().any(|b| b.is_ascii_uppercase()) {
            return self.0.get(&name.to_ascii_lowercase()).map(String::as_str);
        }
        self.0.get(name).map(String::as_str)
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
