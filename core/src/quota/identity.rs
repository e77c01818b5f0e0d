//! Who is calling, as far as quotas care: the instance, the user and the realm of a token.

use crate::auth::CloudConnectorUser;

/// The parts of a caller's identity a limit can be keyed by; a part the caller lacks leaves the
/// limits keyed by it out (an instance token has no user to count).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    /// The token's `gitlab_instance_id`.
    pub instance: Option<String>,
    /// The global user id.
    pub user: Option<String>,
    /// The token's `gitlab_realm`.
    pub realm: Option<String>,
}

fn present(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

impl Identity {
    /// The identity of an authenticated user (empty for one without claims).
    pub fn of(user: &CloudConnectorUser) -> Identity {
        let Some(claims) = &user.claims else {
            return Identity::default();
        };
        let instance = match &claims.gitlab_instance_id {
            serde_json::Value::String(s) => present(s),
            serde_json::Value::Null => None,
            other => Some(other.to_string()),
        };
        Identity {
            instance,
            user: user.global_user_id.as_deref().and_then(present),
            realm: present(&claims.gitlab_realm),
        }
    }
}
