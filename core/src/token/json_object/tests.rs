use super::*;

/// `serde_json`'s own answer: the map, or whether it refused the text or its type.
fn serde(text: &str) -> Result<Map<String, Value>, bool> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(false),
        Err(_) => Err(true),
    }
}

fn nested(depth: usize) -> String {
    format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
}

#[test]
fn accepts_and_decodes_exactly_as_serde_json() {
    let mut cases: Vec<String> = [
        r#"{}"#,
        r#" { "a" : 1 , "b" : [true, null, "x"] } "#,
        r#"{"b":1,"a":2,"b":3}"#,
        r#"{"a\u0062":"c\nd","ab":"later wins over the escaped spelling"}"#,
        r#"{"\ud83d\ude00":"\u00e9","é":"é"}"#,
        r#"{"lone":"\ud800"}"#,
        r#"{"nested":{"k\ud800":1}}"#,
        r#"{"\udc00":1}"#,
        r#"{"big":1e400}"#,
        r#"{"big":[1e400]}"#,
        r#"{"n":-0,"f":1.5,"u":18446744073709551615,"i":-9223372036854775808,"x":1e308}"#,
        r#"{"u":18446744073709551616}"#,
        r#"{"a":01}"#,
        r#"{"a":1,}"#,
        r#"{"a":1} x"#,
        r#"{"a":"tab	inside"}"#,
        r#"{"a":"\x"}"#,
        r#"[1]"#,
        r#""s""#,
        r#"1"#,
        r#"null"#,
        r#""#,
        r#"{"a":{"b":{"c":[{}]}}}"#,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for depth in 124..=130 {
        cases.push(format!(r#"{{"deep":{}}}"#, nested(depth)));
        cases.push(nested(depth));
    }
    for text in cases {
        let ours = JsonObject::parse(text.clone());
        match (serde(&text), ours) {
            (Ok(map), Ok(ours)) => {
                assert_eq!(ours.map(), &map, "{text}");
                assert_eq!(
                    serde_json::to_string(&ours).unwrap(),
                    serde_json::to_string(&map).unwrap(),
                    "{text}"
                );
                let names: Vec<&str> = ours.members().iter().map(|(n, _)| *n).collect();
                let expected: Vec<&str> = map.keys().map(String::as_str).collect();
                assert_eq!(names, expected, "{text}");
                for (name, value) in &map {
                    assert_eq!(ours.value(name).as_ref(), Some(value), "{text} {name}");
                    assert!(ours.contains(name));
                    match value {
                        Value::String(s) => assert_eq!(ours.str(name), Ok(Some(s.as_str()))),
                        _ => assert_eq!(ours.str(name), Err(())),
                    }
                    assert_eq!(
                        ours.member(name).map(JsonRef::to_value).as_ref(),
                        Some(value)
                    );
                }
                assert_eq!(ours.str("absent"), Ok(None));
                assert_eq!(ours.text(), text);
            }
            (Err(invalid), Err(NotAnObject::Invalid(_))) => assert!(invalid, "{text}"),
            (Err(invalid), Err(NotAnObject::OtherType)) => assert!(!invalid, "{text}"),
            (expected, ours) => panic!("{text}: serde_json {expected:?}, ours {ours:?}"),
        }
    }
}

#[test]
fn strings_are_decoded_and_the_tape_steps_over_containers() {
    let text = r#"{"plain":"abc","esc":"a\"b","list":[1,[2,{"x":"y"}],-3,4.5],"after":true}"#;
    let o = JsonObject::parse(text.to_owned()).unwrap();
    assert_eq!(o.str("plain"), Ok(Some("abc")));
    assert_eq!(o.str("esc"), Ok(Some("a\"b")));
    let Some(JsonRef::Array(items)) = o.member("list") else {
        panic!("list is an array")
    };
    let kinds: Vec<String> = items.map(|v| format!("{:?}", v.to_value())).collect();
    assert_eq!(kinds.len(), 4);
    assert!(matches!(o.member("after"), Some(JsonRef::Bool(true))));
    let names: Vec<&str> = o.members().iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["after", "esc", "list", "plain"]);
}

#[test]
fn map_conversions_round_trip_and_compare_by_content() {
    let map: Map<String, Value> = serde_json::from_str(r#"{"z":[1,{"y":null}],"a":"b"}"#).unwrap();
    let o = JsonObject::from(map.clone());
    assert_eq!(*o, map);
    let spaced = JsonObject::parse(r#"{ "a" : "b", "z" : [1, {"y": null}] }"#.to_owned()).unwrap();
    assert_eq!(o, spaced);
    assert_eq!(o.clone(), o);
    assert_eq!(format!("{o:?}"), format!("{map:?}"));
}

#[test]
fn a_list_of_plain_strings_is_keyed_by_its_text() {
    let plain = |text: &str| -> Option<String> {
        let o = JsonObject::parse(text.to_owned()).unwrap();
        match o.member("l")? {
            JsonRef::Array(items) => items.plain_strings().map(str::to_owned),
            _ => None,
        }
    };
    assert_eq!(plain(r#"{"l":["x","y"]}"#).as_deref(), Some(r#""x","y""#));
    assert_eq!(
        plain(r#"{"l":[ "x" ,	"" ]}"#).as_deref(),
        Some(r#""x" ,	"""#)
    );
    assert_eq!(plain(r#"{"l":["only"]}"#).as_deref(), Some(r#""only""#));
    for other in [
        r#"{"l":[]}"#,
        r#"{"l":["x",1]}"#,
        r#"{"l":["x",null]}"#,
        r#"{"l":["x",["y"]]}"#,
        r#"{"l":["esc\\naped"]}"#,
        r#"{"l":"x"}"#,
    ] {
        assert_eq!(plain(other), None, "{other}");
    }
    // Equal texts are equal lists; the key of a partly read list is its rest.
    let o = JsonObject::parse(r#"{"l":["a","b","c"]}"#.to_owned()).unwrap();
    let Some(JsonRef::Array(mut items)) = o.member("l") else {
        panic!("an array");
    };
    items.next();
    assert_eq!(items.plain_strings(), Some(r#""b","c""#));
    let values: Vec<_> = items.filter_map(JsonRef::as_str).collect();
    assert_eq!(values, ["b", "c"]);
}
