//! Compact JWS parsing (RFC 7515 §7.1). Nothing here trusts the token: the size is checked
//! before any decoding, every segment is strict base64url, header and payload must be JSON
//! objects, and the header is checked against the policy before any key is looked at.

use serde_json::Value;

use super::alg::Algorithm;
use super::b64;
use super::json_object::{JsonObject, NotAnObject};
use crate::error::{Error, ErrorCode, Result};

/// Default largest token accepted, in bytes. Real Cloud Connector tokens are under 2 KiB.
pub const DEFAULT_MAX_TOKEN_SIZE: usize = 16 * 1024;

/// A compact JWS split and decoded, not yet verified.
#[derive(Clone, Debug)]
pub struct Jws<'t> {
    /// The decoded protected header.
    pub header: JsonObject,
    /// The decoded payload; [`Jws::claims`] reads it as a JWT claims set.
    pub payload: Vec<u8>,
    /// `base64url(header) '.' base64url(payload)`: the bytes the signature covers.
    pub signing_input: &'t str,
    /// The decoded signature bytes.
    pub signature: Vec<u8>,
}

fn malformed(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::TokenMalformed, message)
}

fn decode(segment: &str, what: &str) -> Result<Vec<u8>> {
    b64::decode(segment).ok_or_else(|| malformed(format!("{what} is not unpadded base64url")))
}

fn object(bytes: Vec<u8>, what: &str) -> Result<JsonObject> {
    // Checked as UTF-8 in one pass, the JSON is read as text: from bytes, serde_json checks each
    // string on its own, which costs a token's verification more than the rest of the parse.
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        // serde_json's own error says where the bytes stop being UTF-8 (or JSON before that).
        Err(e) => {
            let e = serde_json::from_slice::<Value>(e.as_bytes())
                .err()
                .map_or_else(|| "invalid UTF-8".to_owned(), |e| e.to_string());
            return Err(malformed(format!("{what} is not valid JSON: {e}")));
        }
    };
    match JsonObject::parse(text) {
        Ok(object) => Ok(object),
        Err(NotAnObject::OtherType) => Err(malformed(format!("{what} is not a JSON object"))),
        Err(NotAnObject::Invalid(e)) => Err(malformed(format!("{what} is not valid JSON: {e}"))),
    }
}

/// Splits and decodes a compact JWS. JSON serialization, JWE (five segments) and anything
/// larger than `max_size` bytes are refused.
pub fn parse(token: &str, max_size: usize) -> Result<Jws<'_>> {
    if token.len() > max_size {
        return Err(Error::new(
            ErrorCode::TokenTooLarge,
            format!("token is {} bytes; the limit is {max_size}", token.len()),
        ));
    }
    if token.trim_start().starts_with('{') {
        return Err(malformed(
            "JWS JSON serialization is not supported; use the compact form",
        ));
    }
    // The memchr crate's SIMD search: a byte-by-byte count, and even `str::matches`, cost as
    // much as the header's JSON parse on a 1.6 kB token.
    let mut dots = memchr::memchr_iter(b'.', token.as_bytes());
    let (first, second) = (dots.next(), dots.next());
    let count = usize::from(first.is_some()) + usize::from(second.is_some()) + dots.count();
    let (Some(first), Some(second), 2) = (first, second, count) else {
        return Err(if count == 4 {
            malformed("token has five segments: JWE (encrypted tokens) is not supported")
        } else {
            malformed(format!(
                "token has {} segments; a compact JWS has 3",
                count + 1
            ))
        });
    };
    // Dots are ASCII, so both positions are character boundaries.
    let (head, payload, sig) = (
        &token[..first],
        &token[first + 1..second],
        &token[second + 1..],
    );
    let signing_input = &token[..second];
    let header = object(decode(head, "header")?, "header")?;
    let payload = decode(payload, "payload")?;
    let signature = decode(sig, "signature")?;
    Ok(Jws {
        header,
        payload,
        signing_input,
        signature,
    })
}

impl Jws<'_> {
    /// The payload as a JWT claims set: a JSON object.
    pub fn claims(&self) -> Result<JsonObject> {
        object(self.payload.clone(), "payload")
    }

    /// [`Jws::claims`], moving the payload out rather than copying it (left empty).
    pub(crate) fn take_claims(&mut self) -> Result<JsonObject> {
        object(std::mem::take(&mut self.payload), "payload")
    }

    /// The header `kid`, which must be a string when present.
    pub fn kid(&self) -> Result<Option<&str>> {
        self.header
            .str("kid")
            .map_err(|()| malformed("header 'kid' is not a string"))
    }

    /// Checks `alg` against the allow-list and rejects `crit`. `none`, in any spelling, is
    /// refused even when signatures are not being verified.
    pub fn algorithm(
        &self,
        allowed: &[Algorithm],
        check_allow_list: bool,
    ) -> Result<Option<Algorithm>> {
        let name = match self.header.str("alg") {
            Ok(Some(name)) => name,
            Ok(None) => {
                return Err(malformed(
                    "No algorithm was specified in the JWS header ('alg')",
                ))
            }
            Err(()) => return Err(malformed("header 'alg' is not a string")),
        };
        if name.eq_ignore_ascii_case("none") {
            return Err(Error::new(
                ErrorCode::UnsupportedAlgorithm,
                format!("alg '{name}' is never accepted"),
            ));
        }
        self.check_crit()?;
        let alg = Algorithm::from_name(name);
        if !check_allow_list {
            return Ok(alg);
        }
        match alg {
            Some(a) if allowed.contains(&a) => Ok(Some(a)),
            _ => Err(Error::new(
                ErrorCode::UnsupportedAlgorithm,
                format!("The specified alg value '{name}' is not allowed"),
            )),
        }
    }

    fn check_crit(&self) -> Result<()> {
        match self.header.value("crit") {
            None => Ok(()),
            Some(Value::Array(names))
                if !names.is_empty() && names.iter().all(Value::is_string) =>
            {
                // No JWS extension is implemented, so every listed one is unknown (RFC 7515 §4.1.11).
                let names: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
                Err(Error::new(
                    ErrorCode::CritUnsupported,
                    format!(
                        "header 'crit' lists unsupported extension(s): {}",
                        names.join(", ")
                    ),
                ))
            }
            Some(_) => Err(malformed(
                "header 'crit' must be a non-empty array of strings",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(s: &str) -> String {
        b64::encode(s.as_bytes())
    }

    fn tok(h: &str, p: &str) -> String {
        format!("{}.{}.{}", enc(h), enc(p), enc("sig"))
    }

    fn code(t: &str) -> ErrorCode {
        parse(t, DEFAULT_MAX_TOKEN_SIZE).unwrap_err().code()
    }

    #[test]
    fn structure_errors() {
        assert_eq!(code(""), ErrorCode::TokenMalformed);
        assert_eq!(code("a.b"), ErrorCode::TokenMalformed);
        assert_eq!(code("a.b.c.d"), ErrorCode::TokenMalformed);
        assert_eq!(code("a.b.c.d.e"), ErrorCode::TokenMalformed);
        assert_eq!(
            code(r#"{"payload":"x","signatures":[]}"#),
            ErrorCode::TokenMalformed
        );
        assert_eq!(
            code(&format!("{}=.{}.", enc(r#"{"alg":"RS256"}"#), enc("{}"))),
            ErrorCode::TokenMalformed
        );
        assert_eq!(code(&tok("[]", "{}")), ErrorCode::TokenMalformed);
        assert_eq!(code(&tok("{", "{}")), ErrorCode::TokenMalformed);
        assert_eq!(
            code(&format!("{}.{}.a+b", enc("{}"), enc("{}"))),
            ErrorCode::TokenMalformed
        );
        let t = tok(r#"{"alg":"RS256"}"#, "1");
        let claims = parse(&t, DEFAULT_MAX_TOKEN_SIZE).unwrap().claims();
        assert_eq!(claims.unwrap_err().code(), ErrorCode::TokenMalformed);
    }

    #[test]
    fn size_is_checked_first() {
        let t = "x".repeat(DEFAULT_MAX_TOKEN_SIZE + 1);
        assert_eq!(code(&t), ErrorCode::TokenTooLarge);
        assert_eq!(
            parse(&tok("{}", "{}"), 10).unwrap_err().code(),
            ErrorCode::TokenTooLarge
        );
    }

    #[test]
    fn header_rules() {
        let alg = |h: &str| {
            let t = tok(h, "{}");
            parse(&t, DEFAULT_MAX_TOKEN_SIZE)
                .unwrap()
                .algorithm(&[Algorithm::RS256], true)
                .map_err(|e| e.code())
        };
        assert_eq!(alg(r#"{"alg":"RS256"}"#), Ok(Some(Algorithm::RS256)));
        assert_eq!(alg(r#"{}"#), Err(ErrorCode::TokenMalformed));
        assert_eq!(alg(r#"{"alg":1}"#), Err(ErrorCode::TokenMalformed));
        for none in ["none", "None", "NONE", "nOnE"] {
            assert_eq!(
                alg(&format!(r#"{{"alg":"{none}"}}"#)),
                Err(ErrorCode::UnsupportedAlgorithm)
            );
        }
        assert_eq!(
            alg(r#"{"alg":"HS256"}"#),
            Err(ErrorCode::UnsupportedAlgorithm)
        );
        assert_eq!(
            alg(r#"{"alg":"PS256"}"#),
            Err(ErrorCode::UnsupportedAlgorithm)
        );
        assert_eq!(
            alg(r#"{"alg":"rs256"}"#),
            Err(ErrorCode::UnsupportedAlgorithm)
        );
        assert_eq!(
            alg(r#"{"alg":"RS256","crit":["exp"]}"#),
            Err(ErrorCode::CritUnsupported)
        );
        assert_eq!(
            alg(r#"{"alg":"RS256","crit":[]}"#),
            Err(ErrorCode::TokenMalformed)
        );
        assert_eq!(
            alg(r#"{"alg":"RS256","crit":"b64"}"#),
            Err(ErrorCode::TokenMalformed)
        );
        let t = tok(r#"{"alg":"RS256","kid":5}"#, "{}");
        assert_eq!(
            parse(&t, 9999).unwrap().kid().unwrap_err().code(),
            ErrorCode::TokenMalformed
        );
    }
}
