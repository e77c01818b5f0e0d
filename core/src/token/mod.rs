//! Tokens: compact JWS parsing, keys and key sets, the verification policy, and issuance
//! (`TokenAuthority` user tokens, `JsonWebToken` instance tokens, key rings).

mod alg;
mod authority;
mod b64;
mod compact;
mod der;
mod json_object;
mod json_web_token;
mod jwk;
pub mod jws;
mod key;
mod key_ring;
mod key_set;
pub mod pem;
mod roca;
mod shared_texts;
mod signature_floor;
mod signing_floor;
mod signing_key;
mod thumbprint;
mod token_issuer;
mod validation;
mod verify;

pub use alg::Algorithm;
pub use authority::{TokenAuthority, UserTokenClaims, USER_TOKEN_TTL};
pub use compact::{uuid_v4, OrderedClaims};
pub use json_object::{Items, JsonObject, JsonRef, ListMember, ListsApart, NotAnObject};
pub use json_web_token::{
    checked_expiry, Audience, JsonWebToken, LATEST_EXPIRY, NOT_BEFORE_TIME_SEC,
};
pub use jwk::parse_jwk;
pub use jws::{Jws, DEFAULT_MAX_TOKEN_SIZE};
pub use key::{VerifyingKey, MIN_RSA_BITS};
pub use key_ring::KeyRing;
pub use key_set::{KeyMatch, KeySet};
pub use shared_texts::{
    SharedTexts, SHARED_LISTS, SHARED_LIST_MAX_LEN, SHARED_TEXTS, SHARED_TEXT_MAX_LEN,
};
pub use signature_floor::SignatureFloor;
pub use signing_floor::SigningFloor;
pub use signing_key::{verifying_key_from_pem, SigningKey};
pub use token_issuer::{IssuedToken, TokenIssuer};
pub use validation::{validate_claims, Validation};
pub use verify::{now, verify, verify_jws, VerifiedToken};

pub(crate) use validation::{validate_claims_for, TimeClaims};
pub(crate) use verify::{parse_checked, signature_error};

/// base64url without padding, as JWS uses it (for bindings and test tools).
pub fn base64url_encode(bytes: &[u8]) -> String {
    b64::encode(bytes)
}

/// Strict base64url decoding (no padding, URL-safe alphabet only).
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    b64::decode(text)
}

#[cfg(test)]
pub(crate) mod tests;

#[cfg(test)]
mod vectors;
#[cfg(test)]
mod wycheproof;
