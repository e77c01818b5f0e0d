//! The options of token verification, of the composite provider and of OIDC sources, turned
//! into the core's configs.

use super::arg::{Args, OptionNames, Resolved};
use super::values::*;
use crate::auth::{CompositeConfig, HttpConfig};
use crate::error::Result;
use crate::token::Validation;

/// Options of [`validation`]: the claims policy of a key set's `verify`.
pub const VALIDATION_OPTIONS: OptionNames = &[
    ("audiences", &["audience"]),
    ("algorithms", &[]),
    ("leeway", &["leeway_seconds"]),
    ("issuer", &[]),
    ("max_token_size", &[]),
    ("reject_future_iat", &[]),
    ("verify_signature", &[]),
    ("now", &[]),
];

fn flag(o: &Resolved<'_>, name: &str, default: bool) -> Result<bool> {
    o.get(name).map_or(Ok(default), |a| a.flag(name))
}

fn text(o: &Resolved<'_>, name: &str) -> Result<Option<String>> {
    Ok(o.get(name)
        .map(|a| a.text(name))
        .transpose()?
        .map(str::to_owned))
}

/// The policy fields the composite provider and a key set's `verify` share.
fn policy(o: &Resolved<'_>, into: &mut Validation) -> Result<()> {
    if let Some(a) = o.get("algorithms") {
        into.algorithms = parse_algorithms(a)?;
    }
    into.leeway = LEEWAY.value(o.get("leeway"))? as u64;
    into.issuer = text(o, "issuer")?;
    into.max_token_size = MAX_TOKEN_SIZE.count(o.get("max_token_size"))?;
    into.reject_future_iat = flag(o, "reject_future_iat", into.reject_future_iat)?;
    Ok(())
}

/// A verification policy from the options a caller set, and the time to verify at (`now`,
/// Unix seconds; the current time when unset). Without `audiences` every token is refused
/// (`audience_mismatch`), as a verifier that expects no audience must.
pub fn validation(args: &Args) -> Result<(Validation, i64)> {
    let o = args.resolve("verify", VALIDATION_OPTIONS)?;
    let audiences = o.get("audiences").map(parse_audiences).transpose()?;
    let mut v = Validation::new(audiences.unwrap_or_default());
    policy(&o, &mut v)?;
    v.verify_signature = flag(&o, "verify_signature", true)?;
    let now = match o.get("now") {
        Some(at) => NOW.whole_seconds(Some(at))?,
        None => crate::token::now(),
    };
    Ok((v, now))
}

/// Options of [`composite_config`], each with the other names callers know it by (the Python
/// package's `expiry_seconds` is `ttl_seconds`; `bypass_signature` turns verification off).
pub const COMPOSITE_OPTIONS: OptionNames = &[
    ("ttl_seconds", &["expiry_seconds"]),
    ("retry_after_failure_seconds", &[]),
    ("unknown_kid_cooldown_seconds", &[]),
    ("token_cache_size", &[]),
    ("algorithms", &[]),
    ("leeway", &["leeway_seconds"]),
    ("issuer", &[]),
    ("max_token_size", &[]),
    ("reject_future_iat", &[]),
    ("bypass_signature", &[]),
    ("audiences", &[]),
];

/// Options of an OIDC key source ([`http_config`]).
pub const OIDC_OPTIONS: OptionNames = &[("timeout_seconds", &["timeout"]), ("ca_bundle", &[])];

/// The composite provider's configuration from the options a caller set; every other field
/// is its default.
pub fn composite_config(args: &Args) -> Result<CompositeConfig> {
    let o = args.resolve("the composite provider", COMPOSITE_OPTIONS)?;
    let d = CompositeConfig::default();
    let mut v = Validation::new(Vec::<String>::new());
    policy(&o, &mut v)?;
    Ok(CompositeConfig {
        ttl: TTL_SECONDS.duration(o.get("ttl_seconds"))?,
        retry_after_failure: RETRY_AFTER_FAILURE_SECONDS
            .duration(o.get("retry_after_failure_seconds"))?,
        unknown_kid_cooldown: UNKNOWN_KID_COOLDOWN_SECONDS
            .duration(o.get("unknown_kid_cooldown_seconds"))?,
        token_cache_capacity: TOKEN_CACHE_SIZE.count(o.get("token_cache_size"))?,
        algorithms: v.algorithms,
        leeway: v.leeway,
        issuer: v.issuer,
        max_token_size: v.max_token_size,
        reject_future_iat: v.reject_future_iat,
        verify_signature: !flag(&o, "bypass_signature", !d.verify_signature)?,
        audiences: o.get("audiences").map(parse_audiences).transpose()?,
    })
}

/// An OIDC source's HTTP configuration from the options a caller set.
pub fn http_config(args: &Args) -> Result<HttpConfig> {
    let o = args.resolve("an OIDC key source", OIDC_OPTIONS)?;
    Ok(HttpConfig {
        timeout: TIMEOUT_SECONDS.duration(o.get("timeout_seconds"))?,
        ca_bundle: text(&o, "ca_bundle")?.map(Into::into),
    })
}
