//! The mapping of decoded claims to a user's fields (python-api.md §4.3), borrowed from the
//! claims' tape. [`UserClaims::from_claims`] is this mapping made owned
//! ([`UserClaimsRef::to_user_claims`]); a binding builds its own objects from the borrowed
//! form, so a verification the token cache does not keep allocates no Rust copy of every scope
//! and extra claim on the way to the host's objects.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::user::UserClaims;
use crate::token::{Items, JsonObject, JsonRef};

/// Claims that `extra` leaves out: registered claims and those mapped to named fields.
const NOT_EXTRA: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "nbf",
    "iat",
    "jti",
    "gitlab_realm",
    "scopes",
    "gitlab_instance_id",
    "duo_seat_count",
];

/// A user's fields of decoded claims, borrowed from them; see [`UserClaims`] for each field's
/// meaning. Missing claims are empty strings; `gitlab_instance_id` keeps its JSON type.
#[derive(Clone, Debug)]
pub struct UserClaimsRef<'a> {
    /// `gitlab_realm`.
    pub gitlab_realm: Cow<'a, str>,
    /// `sub`.
    pub subject: Cow<'a, str>,
    /// `iss`.
    pub issuer: Cow<'a, str>,
    /// `duo_seat_count`.
    pub duo_seat_count: Cow<'a, str>,
    /// `gitlab_instance_id`, in its JSON type (an empty string when missing).
    pub gitlab_instance_id: JsonRef<'a>,
    /// `gitlab_instance_uid`.
    pub gitlab_instance_uid: Cow<'a, str>,
    scopes: Option<Items<'a>>,
    extra: Vec<(&'a str, JsonRef<'a>)>,
}

/// A string claim as text; non-strings become their JSON text so they never equal a header
/// value that happens to spell the same number.
fn text(v: JsonRef<'_>) -> Cow<'_, str> {
    match v {
        JsonRef::Null => Cow::Borrowed(""),
        JsonRef::Str(s) => Cow::Borrowed(s),
        other => Cow::Owned(other.to_value().to_string()),
    }
}

impl<'a> UserClaimsRef<'a> {
    /// Maps decoded claims into fields. A repeated claim counts with its last value, as in the
    /// decoded map.
    pub fn of(claims: &'a JsonObject) -> UserClaimsRef<'a> {
        let mut user = UserClaimsRef {
            gitlab_realm: Cow::Borrowed(""),
            subject: Cow::Borrowed(""),
            issuer: Cow::Borrowed(""),
            duo_seat_count: Cow::Borrowed(""),
            gitlab_instance_id: JsonRef::Str(""),
            gitlab_instance_uid: Cow::Borrowed(""),
            scopes: None,
            extra: Vec::new(),
        };
        let members = claims.members();
        user.extra = Vec::with_capacity(members.len());
        for (name, value) in members {
            match name {
                "scopes" => {
                    if let JsonRef::Array(list) = &value {
                        user.scopes = Some(list.clone());
                    }
                }
                "gitlab_realm" => user.gitlab_realm = text(value.clone()),
                "sub" => user.subject = text(value.clone()),
                "iss" => user.issuer = text(value.clone()),
                "duo_seat_count" => user.duo_seat_count = text(value.clone()),
                "gitlab_instance_id" => user.gitlab_instance_id = value.clone(),
                "gitlab_instance_uid" => user.gitlab_instance_uid = text(value.clone()),
                _ => {}
            }
            if !NOT_EXTRA.contains(&name) {
                user.extra.push((name, value));
            }
        }
        user
    }

    /// `scopes`: the unit primitives granted, in token order; non-string entries dropped.
    pub fn scopes(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.scopes
            .clone()
            .into_iter()
            .flatten()
            .filter_map(JsonRef::as_str)
    }

    /// The scopes' text when every entry is a string without escapes
    /// ([`Items::plain_strings`]): the key under which a binding may share one list of them.
    pub fn scopes_text(&self) -> Option<&'a str> {
        self.scopes.as_ref()?.plain_strings()
    }

    /// Every other claim, by name (sorted, each once): `UserClaims::extra`'s members.
    pub fn extra(&self) -> &[(&'a str, JsonRef<'a>)] {
        &self.extra
    }

    /// The owned fields, `extra` included (as after a decode).
    pub fn to_user_claims(&self) -> UserClaims {
        let owned = |c: &Cow<'_, str>| c.clone().into_owned();
        UserClaims {
            gitlab_realm: owned(&self.gitlab_realm),
            scopes: self.scopes().map(str::to_owned).collect(),
            subject: owned(&self.subject),
            issuer: owned(&self.issuer),
            duo_seat_count: owned(&self.duo_seat_count),
            gitlab_instance_id: self.gitlab_instance_id.clone().to_value(),
            gitlab_instance_uid: owned(&self.gitlab_instance_uid),
            extra: Some(
                self.extra
                    .iter()
                    .map(|(name, value)| ((*name).to_owned(), value.clone().to_value()))
                    .collect::<Map<String, Value>>(),
            ),
        }
    }
}

#[cfg(test)]
mod tests;
