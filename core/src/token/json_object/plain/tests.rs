//! The plain path against `serde_json`'s: the same tape for every text it records, `None` for
//! every text `serde_json` refuses (or would read differently).

use super::super::{serde_record, Node};
use super::record;

/// What the plain path gives, checked against `serde_json`'s path; true when it recorded.
fn agrees(text: &str) -> bool {
    let mut plain = Vec::new();
    let recorded = record(text, &mut plain).is_some();
    let mut serde = Vec::new();
    let accepted = serde_record(text, &mut serde).is_ok();
    if recorded {
        assert!(accepted, "plain recorded what serde_json refuses: {text:?}");
        assert_eq!(plain, serde, "{text:?}");
        assert!(
            matches!(plain.first(), Some(Node::Object { .. })),
            "{text:?}"
        );
    }
    recorded
}

#[test]
fn tokens_shapes_are_recorded_and_others_left_to_serde_json() {
    let recorded = [
        r#"{}"#,
        r#" { } "#,
        "\t{\n\"a\" :\r1 }\n",
        r#"{"alg":"RS256","kid":"k1","typ":"JWT"}"#,
        r#"{"a":[],"b":{},"c":[[],[{}]],"d":[1,-2,true,false,null,"x",""]}"#,
        r#"{"n":0,"m":-1,"u":9999999999999999999,"neg":-9223372036854775807}"#,
        r#"{"a":1,"a":2,"":"empty name","é":"ünïcode ✓ 😀"}"#,
        r#"{"s":"/ no escape needed for a slash"}"#,
    ];
    for text in recorded {
        assert!(agrees(text), "not recorded: {text:?}");
    }
    let left = [
        r#"{"s":"a\"b"}"#,
        r#"{"s":"\u0041"}"#,
        r#"{"s":"tab	inside"}"#,
        r#"{"f":1.5}"#,
        r#"{"f":1e3}"#,
        r#"{"f":1E3}"#,
        r#"{"z":-0}"#,
        r#"{"z":01}"#,
        r#"{"z":-01}"#,
        r#"{"z":12345678901234567890}"#,
        r#"{"big":18446744073709551615}"#,
        r#"{"z":-9223372036854775808}"#,
        r#"{"z":-}"#,
        r#"{"z":+1}"#,
        r#"{"a":1,}"#,
        r#"{"a":[1,]}"#,
        r#"{"a" 1}"#,
        r#"{a:1}"#,
        r#"{"a":tru}"#,
        r#"{"a":truex}"#,
        r#"{"a":nul}"#,
        r#"{"a":1}x"#,
        r#"{"a":1}{}"#,
        r#"{"a":"unterminated}"#,
        r#"{"a":1"#,
        r#"[1]"#,
        r#""text""#,
        "",
        "   ",
        "{\u{a0}}",
    ];
    for text in left {
        assert!(!agrees(text), "recorded: {text:?}");
    }
    let deep = format!("{{\"a\":{}1{}}}", "[".repeat(63), "]".repeat(63));
    assert!(agrees(&deep));
    let deeper = format!("{{\"a\":{}1{}}}", "[".repeat(64), "]".repeat(64));
    assert!(!agrees(&deeper), "past MAX_DEPTH is serde_json's");
}

/// A small deterministic generator (xorshift), so the test needs no dependency and fails the
/// same way every run.
pub(in crate::token::json_object) struct Rng(pub u64);

impl Rng {
    pub(in crate::token::json_object) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub(in crate::token::json_object) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub(in crate::token::json_object) fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

const SCALARS: &[&str] = &[
    "0",
    "1",
    "-1",
    "42",
    "-0",
    "01",
    "1.0",
    "1e2",
    "-1E-2",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "-9223372036854775809",
    "true",
    "false",
    "null",
    "\"\"",
    "\"a\"",
    "\"duo_chat\"",
    "\"a\\\"b\"",
    "\"\\u00e9\"",
    "\"\\ud800\"",
    "\"é\"",
    "\"\u{1}\"",
    "\"\\/\"",
];
const SPACE: &[&str] = &["", "", "", " ", "\n", "\t", "\r\n "];

fn valid(rng: &mut Rng, depth: usize, out: &mut String) {
    let space = |rng: &mut Rng, out: &mut String| out.push_str(rng.pick(SPACE));
    match if depth > 4 { 0 } else { rng.below(4) } {
        0 | 1 => out.push_str(rng.pick(SCALARS)),
        2 => {
            out.push('[');
            for i in 0..rng.below(4) {
                if i > 0 {
                    out.push(',');
                }
                space(rng, out);
                valid(rng, depth + 1, out);
                space(rng, out);
            }
            out.push(']');
        }
        _ => object(rng, depth + 1, out),
    }
}

fn object(rng: &mut Rng, depth: usize, out: &mut String) {
    const NAMES: &[&str] = &["\"a\"", "\"b\"", "\"scopes\"", "\"\"", "\"a\\nb\"", "\"é\""];
    out.push('{');
    for i in 0..rng.below(5) {
        if i > 0 {
            out.push(',');
        }
        out.push_str(rng.pick(SPACE));
        out.push_str(rng.pick(NAMES));
        out.push_str(rng.pick(SPACE));
        out.push(':');
        valid(rng, depth, out);
        out.push_str(rng.pick(SPACE));
    }
    out.push('}');
}

#[test]
fn random_objects_and_their_mutations_agree_with_serde_json() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut recorded, mut total) = (0, 0);
    let noise = [
        "{", "}", "[", "]", ",", ":", "\"", "\\", "-", "0", "e", ".", " ", "x",
    ];
    for _ in 0..40_000 {
        let mut text = String::new();
        object(&mut rng, 0, &mut text);
        total += 1;
        recorded += usize::from(agrees(&text));
        // The same text with one character dropped, doubled or replaced by syntax noise.
        let chars: Vec<char> = text.chars().collect();
        let at = rng.below(chars.len());
        let mut broken: String = chars[..at].iter().collect();
        match rng.below(3) {
            0 => {}
            1 => broken.push(chars[at]),
            _ => broken.push_str(rng.pick(&noise)),
        }
        broken.extend(&chars[at + 1..]);
        if rng.below(2) == 0 {
            broken.push(chars[at]);
        }
        agrees(&broken);
    }
    // The generator must reach both paths, or this test proves nothing.
    assert!(
        recorded > total / 10 && recorded < total,
        "{recorded} of {total}"
    );
}

#[test]
fn the_realistic_token_and_every_vector_token_take_the_plain_path_when_plain() {
    let realistic: serde_json::Value =
        serde_json::from_str(include_str!("../../../../../bench/realistic_token.json")).unwrap();
    let token = realistic["token"].as_str().unwrap();
    for part in token.split('.').take(2) {
        let text = String::from_utf8(crate::token::base64url_decode(part).unwrap()).unwrap();
        assert!(agrees(&text), "{text}");
    }
}

#[test]
fn the_eight_byte_scan_stops_where_a_byte_by_byte_scan_does() {
    let alphabet = [
        0x00, 0x01, 0x1f, 0x20, 0x21, b'"', b'\\', b'a', 0x5b, 0x5d, 0x7f, 0x80, 0xc3, 0xff,
    ];
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..200_000 {
        let len = rng.below(26);
        let bytes: Vec<u8> = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        let expected = bytes
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c < 0x20);
        assert_eq!(super::stop_in(&bytes), expected, "{bytes:?}");
    }
}
