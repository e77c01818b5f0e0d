use std::borrow::Cow;

use serde_json::{json, Map, Value};

use super::UserClaimsRef;
use crate::auth::UserClaims;
use crate::token::{JsonObject, JsonRef};

/// The mapping written over the decoded `serde_json` map, independently of the tape: what
/// the borrowed fields must agree with.
fn by_map(claims: &Map<String, Value>) -> UserClaims {
    let text = |name: &str| match claims.get(name) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let skipped = [
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
    UserClaims {
        gitlab_realm: text("gitlab_realm"),
        scopes: match claims.get("scopes") {
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        },
        subject: text("sub"),
        issuer: text("iss"),
        duo_seat_count: text("duo_seat_count"),
        gitlab_instance_id: claims
            .get("gitlab_instance_id")
            .cloned()
            .unwrap_or_else(|| json!("")),
        gitlab_instance_uid: text("gitlab_instance_uid"),
        extra: Some(
            claims
                .iter()
                .filter(|(k, _)| !skipped.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
    }
}

#[test]
fn the_borrowed_fields_are_the_mapping_of_the_decoded_claims() {
    let texts = [
        r#"{}"#,
        r#"{"iss":"i","sub":"s","aud":["a","b"],"exp":1,"nbf":0,"iat":0,"jti":"j","gitlab_realm":"saas","scopes":["a",1,"b",null,{"x":1}],"gitlab_instance_id":42,"gitlab_instance_uid":"uid","duo_seat_count":5,"gitlab_root_namespace_id":"123","z":{"b":[1,2.5,-3],"a":true}}"#,
        r#"{"scopes":"duo_chat","gitlab_realm":null,"sub":7,"iss":{"a":1},"gitlab_instance_id":null}"#,
        r#"{"scopes":["one"],"scopes":["two","three"],"sub":"first","sub":"last","x":1,"x":2}"#,
        r#"{"sub":"a\"b\u00e9\ud83d\ude00","scopes":["esc\\aped","plain"],"n\u0061me":"v","duo_seat_count":"12"}"#,
        r#"{"gitlab_instance_id":"abc","gitlab_instance_uid":false,"duo_seat_count":1e300}"#,
    ];
    for text in texts {
        let claims = JsonObject::parse(text.to_owned()).unwrap();
        let borrowed = UserClaimsRef::of(&claims);
        assert_eq!(borrowed.to_user_claims(), by_map(&claims), "{text}");
        assert_eq!(UserClaims::from_claims(&claims), by_map(&claims), "{text}");
    }
}

#[test]
fn plain_strings_are_borrowed_from_the_claims_and_other_types_are_their_json_text() {
    let claims = JsonObject::parse(
        r#"{"sub":"alice","iss":"a\u0062c","gitlab_realm":1.5,"duo_seat_count":null}"#.to_owned(),
    )
    .unwrap();
    let user = UserClaimsRef::of(&claims);
    assert!(matches!(user.subject, Cow::Borrowed("alice")));
    // An escaped string is decoded once on the tape, and borrowed from there.
    assert!(matches!(user.issuer, Cow::Borrowed("abc")));
    assert!(matches!(&user.gitlab_realm, Cow::Owned(t) if t == "1.5"));
    assert_eq!(user.duo_seat_count, "");
    assert_eq!(user.gitlab_instance_uid, "");
    assert!(matches!(user.gitlab_instance_id, JsonRef::Str("")));
}

#[test]
fn scopes_keep_token_order_and_extra_is_by_name() {
    let claims = JsonObject::parse(
        r#"{"zeta":1,"scopes":["b",2,"a","b"],"alpha":"x","exp":3,"mid":[true]}"#.to_owned(),
    )
    .unwrap();
    let user = UserClaimsRef::of(&claims);
    assert_eq!(user.scopes().collect::<Vec<_>>(), ["b", "a", "b"]);
    assert_eq!(user.scopes_text(), None, "a number among them");
    let plain = JsonObject::parse(r#"{"scopes":["b","a"]}"#.to_owned()).unwrap();
    assert_eq!(UserClaimsRef::of(&plain).scopes_text(), Some(r#""b","a""#));
    let names: Vec<&str> = user.extra().iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["alpha", "mid", "zeta"]);
    let no_scopes = JsonObject::parse(r#"{"scopes":{"a":"b"}}"#.to_owned()).unwrap();
    assert_eq!(UserClaimsRef::of(&no_scopes).scopes().count(), 0);
}
