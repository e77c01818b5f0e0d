//! PEM armour (RFC 7468) in and out. Only the labels this crate reads are recognised.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::error::{Error, ErrorCode, Result};

/// The first PEM block in `text`: its label and DER bytes.
pub fn decode(text: &str) -> Result<(String, Vec<u8>)> {
    let err = |m: &str| Error::new(ErrorCode::KeyInvalid, format!("invalid PEM: {m}"));
    let start = text
        .find("-----BEGIN ")
        .ok_or_else(|| err("no '-----BEGIN' line"))?;
    let rest = &text[start + 11..];
    let label_end = rest
        .find("-----")
        .ok_or_else(|| err("unterminated BEGIN line"))?;
    let label = &rest[..label_end];
    let body_and_end = &rest[label_end + 5..];
    let end_marker = format!("-----END {label}-----");
    let body_end = body_and_end
        .find(&end_marker)
        .ok_or_else(|| err("no matching END line"))?;
    let body: String = body_and_end[..body_end]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let der = STANDARD
        .decode(body)
        .map_err(|_| err("body is not base64"))?;
    if der.is_empty() {
        return Err(err("empty body"));
    }
    Ok((label.to_owned(), der))
}

/// PEM text of `der` under `label` (e.g. `PRIVATE KEY`), 64-character lines.
pub fn encode(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_pem() {
        for bad in [
            "",
            "BROKEN_KEY",
            "-----BEGIN PRIVATE KEY",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n",
            "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
            "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n",
        ] {
            assert_eq!(
                decode(bad).unwrap_err().code(),
                ErrorCode::KeyInvalid,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn round_trip() {
        let der: Vec<u8> = (0..200).map(|i| i as u8).collect();
        let pem = encode("PUBLIC KEY", &der);
        assert_eq!(decode(&pem).unwrap(), ("PUBLIC KEY".to_owned(), der));
    }
}
