use serde_json::Value;

use super::super::plain::tests::Rng;
use super::*;

/// The members as `JSON.parse` leaves them: in order of first appearance, each with its last
/// value.
fn as_parsed(text: &str) -> Vec<(String, Value)> {
    let object = JsonObject::parse(text.to_owned()).expect("an object");
    let mut members: Vec<(String, Value)> = Vec::new();
    let mut items = match object.root() {
        crate::token::JsonRef::Object(items) => items,
        _ => unreachable!(),
    };
    while let (Some(name), Some(value)) = (items.next(), items.next()) {
        let (name, value) = (
            name.as_str().unwrap_or_default().to_owned(),
            value.to_value(),
        );
        match members.iter_mut().find(|(n, _)| *n == name) {
            Some(member) => member.1 = value,
            None => members.push((name, value)),
        }
    }
    members
}

/// `text` taken apart (keeping every list `keep` allows), then put back as a binding does:
/// the rest parsed, each taken member set to its list. Checked against the whole text parsed.
fn round_trip(text: &str, most: usize, keep: impl FnMut(&str) -> bool) -> Vec<String> {
    let object = JsonObject::parse(text.to_owned()).expect("an object");
    let mut keep = keep;
    let apart = object.lists_apart(most, |m| keep(m.list).then_some(m.name.len()));
    let mut members = as_parsed(&apart.text);
    for (taken, kept) in &apart.lists {
        assert_eq!(
            *kept,
            taken.name.len(),
            "what keep gave goes with its member"
        );
        // The member's text is its name and list as written.
        let alone = as_parsed(&format!("{{{}}}", taken.text));
        let list: Value = serde_json::from_str(&format!("[{}]", taken.list)).expect("a list");
        assert_eq!(alone, [(taken.name.to_owned(), list.clone())], "{text:?}");
        let member = members
            .iter_mut()
            .find(|(n, _)| n == taken.name)
            .expect("kept");
        assert_eq!(
            member.1,
            Value::from(0),
            "{text:?}: {} is written 0",
            taken.name
        );
        member.1 = list;
    }
    assert_eq!(members, as_parsed(text), "{text:?} -> {:?}", apart.text);
    apart.lists.iter().map(|(m, _)| m.name.to_owned()).collect()
}

#[test]
fn takes_out_top_level_lists_of_plain_strings_in_place() {
    let text = r#"{"iss":"x","aud":["a","b"],"exp":1,"scopes":["duo_chat","code_suggestions"]}"#;
    let object = JsonObject::parse(text.to_owned()).unwrap();
    let mut asked = Vec::new();
    let apart = object.lists_apart(4, |member| {
        asked.push(member.text.to_owned());
        Some(asked.len())
    });
    assert_eq!(apart.text, r#"{"iss":"x","aud":0,"exp":1,"scopes":0}"#);
    let aud = ListMember {
        name: "aud",
        list: r#""a","b""#,
        text: r#""aud":["a","b"]"#,
    };
    let scopes = ListMember {
        name: "scopes",
        list: r#""duo_chat","code_suggestions""#,
        text: r#""scopes":["duo_chat","code_suggestions"]"#,
    };
    assert_eq!(apart.lists, [(aud, 1), (scopes, 2)]);
    assert_eq!(asked, [aud.text, scopes.text]);
    let spaced = " {\n \"scopes\" :\t[ \"a\" ,\r\n\"b\"\n] , \"n\" : [ \"c\" ] } ";
    assert_eq!(round_trip(spaced, 4, |_| true), ["scopes", "n"]);
    let spaced = JsonObject::parse(spaced.to_owned()).unwrap();
    let apart = spaced.lists_apart(4, Some);
    assert_eq!(apart.text, " {\n \"scopes\" :\t0 , \"n\" : 0 } ");
    let texts: Vec<&str> = apart.lists.iter().map(|(m, _)| m.text).collect();
    assert_eq!(
        texts,
        ["\"scopes\" :\t[ \"a\" ,\r\n\"b\"\n]", "\"n\" : [ \"c\" ]"]
    );
}

#[test]
fn leaves_what_the_rule_does_not_take() {
    let cases = [
        // Not a list of strings without escapes, or empty.
        r#"{"l":[]}"#,
        r#"{"l":["a",1]}"#,
        r#"{"l":["a\n"]}"#,
        r#"{"l":[["a"]]}"#,
        r#"{"l":"a"}"#,
        // Not at the top level.
        r#"{"o":{"l":["a"]}}"#,
        r#"{"o":[{"l":["a"]}]}"#,
        // A name written with escapes, or given twice (however it is spelled).
        r#"{"sc\u006fpes":["a"]}"#,
        r#"{"l":["a"],"l":["b"]}"#,
        r#"{"l":["a"],"l":1}"#,
        r#"{"l":1,"l":["a"]}"#,
        r#"{"ab":["a"],"a\u0062":2}"#,
    ];
    for text in cases {
        let object = JsonObject::parse(text.to_owned()).unwrap();
        let apart = object.lists_apart(4, Some);
        assert_eq!(
            (apart.text.as_str(), apart.lists.len()),
            (text, 0),
            "{text}"
        );
    }
}

#[test]
fn takes_only_what_the_binding_keeps_and_looks_at_the_first_lists_only() {
    let text = r#"{"a":["1"],"b":["2"],"c":["3"]}"#;
    assert_eq!(round_trip(text, 4, |list| list != r#""2""#), ["a", "c"]);
    assert_eq!(round_trip(text, 2, |_| true), ["a", "b"]);
    assert_eq!(round_trip(text, 2, |list| list != r#""1""#), ["b"]);
    assert!(round_trip(text, 0, |_| true).is_empty());
    // A duplicate counts among the lists looked at.
    let text = r#"{"a":["1"],"a":["2"],"c":["3"]}"#;
    assert!(round_trip(text, 2, |_| true).is_empty());
    // An object serde_json records (escapes elsewhere) is taken apart alike.
    let text = r#"{"s":"a\"b","l":["x","y"],"f":1.5}"#;
    assert_eq!(round_trip(text, 4, |_| true), ["l"]);
}

/// Objects whose members are often lists of strings, with repeated and escaped names, nested
/// lists, escapes and white space.
fn generated(rng: &mut Rng, out: &mut String) {
    const NAMES: &[&str] = &[
        "\"aud\"",
        "\"scopes\"",
        "\"a\"",
        "\"a\\u0062\"",
        "\"ab\"",
        "\"\"",
    ];
    const STRINGS: &[&str] = &["\"\"", "\"duo_chat\"", "\"a\\nb\"", "\"é\"", "\"x y\""];
    const OTHER: &[&str] = &[
        "0",
        "-1",
        "1.5",
        "true",
        "null",
        "\"s\"",
        "{}",
        "{\"l\":[\"a\"]}",
    ];
    const SPACE: &[&str] = &["", "", " ", "\n", "\t ", "\r\n"];
    out.push('{');
    for i in 0..rng.below(6) {
        if i > 0 {
            out.push(',');
        }
        out.push_str(rng.pick(SPACE));
        out.push_str(rng.pick(NAMES));
        out.push(':');
        out.push_str(rng.pick(SPACE));
        if rng.below(3) == 0 {
            out.push_str(rng.pick(OTHER));
        } else {
            out.push('[');
            for j in 0..rng.below(4) {
                if j > 0 {
                    out.push(',');
                }
                out.push_str(rng.pick(SPACE));
                out.push_str(if rng.below(8) == 0 {
                    rng.pick(OTHER)
                } else {
                    rng.pick(STRINGS)
                });
                out.push_str(rng.pick(SPACE));
            }
            out.push(']');
        }
        out.push_str(rng.pick(SPACE));
    }
    out.push('}');
}

#[test]
fn generated_objects_put_back_together_are_the_whole_text_parsed() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut taken = 0;
    for n in 0..20_000 {
        let mut text = String::new();
        generated(&mut rng, &mut text);
        let most = n % 4;
        let names = round_trip(&text, most, |list| list.len() % 5 != 0);
        assert!(names.len() <= most);
        taken += names.len();
    }
    assert!(
        taken > 2_000,
        "the generator must reach the taken path: {taken}"
    );
}
