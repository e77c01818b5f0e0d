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
    STRICT.decode(input).ok()
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
    fn round_trips() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(decode(&encode(&bytes)), Some(bytes));
    }
}
