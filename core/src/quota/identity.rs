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
        match &user.claims {
            Some(claims) => Identity::from_parts(
                &claims.gitlab_instance_id,
                user.global_user_id.as_deref(),
                &claims.gitlab_realm,
            ),
            None => Identity::default(),
        }
    }

    /// The identity of a binding's user, from its `gitlab_instance_id` claim (a string, or any
    /// JSON value as its text), global user id and `gitlab_realm` claim; empty parts are absent.
    pub fn from_parts(instance: &serde_json::Value, user: Option<&str>, realm: &str) -> Identity {
        let instance = match instance {
            serde_json::Value::String(s) => present(s),
            serde_json::Value::Null => None,
            other => Some(other.to_string()),
        };
        Identity {
            instance,
            user: user.and_then(present),
            realm: present(realm),
        }
    }
}
