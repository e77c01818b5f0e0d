//! Strict base64url (RFC 7515 §2): no padding, no characters outside the URL-safe alphabet, and no
//! non-zero trailing bits, so every token has exactly one encoding and a modified token cannot
//! slip through as "the same bytes".

use base64::alphabet::URL_SAFE;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

const STRICT: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

pub(crate) fn decode(input: &str) -> Option<Vec<u8>> {
    // base64-simd decodes a token's segments several times faster than the scalar engine; it
    // refuses padding and bytes outside the alphabet, and the last symbol's unused bits are
    // checked here, so the accepted set is exactly `STRICT`'s (the test below compares them).
    if !canonical_tail(input.as_bytes()) {
        return None;
    }
    base64_simd::URL_SAFE_NO_PAD.decode_to_vec(input).ok()
}

/// The unused low bits of the last symbol are zero: 4 of them after 2 symbols in the last
/// quantum, 2 after 3 (RFC 4648 §3.5).
fn canonical_tail(input: &[u8]) -> bool {
    let unused = match input.len() % 4 {
        2 => 0b1111,
        3 => 0b0011,
        _ => return true,
    };
    input
        .last()
        .and_then(|&c| symbol_value(c))
        .is_none_or(|v| v & unused == 0)
}

fn symbol_value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

pub(crate) fn encode(input: &[u8]) -> String {
    STRICT.encode(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_padding_and_standard_alphabet() {
        assert_eq!(decode("YQ"), Some(b"a".to_vec()));
        assert_eq!(decode("YQ=="), None);
        assert_eq!(decode("-_8"), Some(vec![0xfb, 0xff]));
        assert_eq!(decode("+/8"), None);
        assert_eq!(decode("Y Q"), None);
        // "YR" carries non-zero trailing bits: a second spelling of "a".
        assert_eq!(decode("YR"), None);
    }

    #[test]
    fn accepts_exactly_what_the_strict_scalar_engine_accepts() {
        // Every string of up to 5 symbols over an alphabet with each kind of edge: the last
        // symbol's unused bits, padding, the standard alphabet's symbols, a space, a dot.
        let symbols = b"AQgw_-BHz9=+/ .";
        let mut inputs = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = inputs
                .iter()
                .filter(|s| s.len() == inputs.last().map_or(0, String::len))
                .flat_map(|s| symbols.iter().map(move |&c| format!("{s}{}", c as char)))
                .collect();
            inputs.extend(longer);
        }
        assert!(inputs.len() > 800_000);
        for input in &inputs {
            assert_eq!(decode(input), STRICT.decode(input).ok(), "{input:?}");
        }
        // Lengths the SIMD loops take in blocks, with a bad symbol at every position.
        let long = encode(&(0..=255).cycle().take(700).collect::<Vec<u8>>());
        for i in 0..long.len() {
            let mut bad = long.clone().into_bytes();
            bad[i] = b'+';
            let bad = String::from_utf8(bad).unwrap();
            assert_eq!(decode(&bad), None, "{i}");
        }
        for n in 0..long.len() {
            assert_eq!(decode(&long[..n]), STRICT.decode(&long[..n]).ok(), "{n}");
        }
    }

    #[test]
    fn round_trips() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(decode(&encode(&bytes)), Some(bytes));
    }
}
