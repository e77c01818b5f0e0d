//! The token half for Ruby: signing keys, `JsonWebToken` (Rails' instance tokens), the
//! catalog-backed `TokenIssuer`, key rings and verification. Claim order, signing, entitlements
//! and the verification policy are the core's; this module converts and maps errors.
//!
//! Like the catalog half, nothing here holds a Ruby object: every wrapped struct owns only Rust
//! data, so none needs GC marking and all are safe under `GC.compact`. Key generation and signing
//! (milliseconds) run without the GVL (gvl.rs); a signature check (about 20 us) keeps it: giving
//! the GVL up costs more than that whenever another thread is busy (the waiter may wait a whole
//! 100 ms time slice to get it back).

use std::sync::Mutex;

use magnus::r_hash::ForEach;
use magnus::typed_data::Obj;
use magnus::{
    function, method, prelude::*, Error, RArray, RHash, RModule, RString, Ruby, Symbol, Value,
};
use serde_json::Value as Json;

use cloud_connector::options;
use cloud_connector::token::{
    parse_jwk, verify, Audience, JsonWebToken, KeyRing, KeySet, OrderedClaims, SignatureFloor,
    SigningFloor, SigningKey, TokenIssuer, Validation,
};
use cloud_connector::{Error as CoreError, ErrorCode};

use crate::auth::audience_list;
use crate::claims::claims_to_ruby;
use crate::convert::{core_error, json_to_ruby, ruby_arg, ruby_args, ruby_to_json, Keys};
use crate::gvl::without_gvl;
use crate::{invalid_argument, lift, RbCatalog};

type Res<T> = Result<T, Error>;

/// An RSA private key (RS256), parsed once. `kid` is its RFC 7638 thumbprint.
#[magnus::wrap(
    class = "Gitlab::CloudConnector::Native::SigningKey",
    free_immediately,
    size
)]
pub struct RbSigningKey {
    inner: SigningKey,
}

impl RbSigningKey {
    fn generate(ruby: &Ruby) -> Res<RbSigningKey> {
        Ok(RbSigningKey {
            inner: lift(ruby, without_gvl(SigningKey::generate))?,
        })
    }

    fn from_pem(ruby: &Ruby, pem: String) -> Res<RbSigningKey> {
        Ok(RbSigningKey {
            inner: lift(ruby, SigningKey::from_pem(&pem))?,
        })
    }

    fn to_pem(ruby: &Ruby, rb_self: &Self) -> Res<String> {
        lift(ruby, rb_self.inner.to_pem())
    }

    fn public_pem(ruby: &Ruby, rb_self: &Self) -> Res<String> {
        lift(ruby, rb_self.inner.public_pem())
    }

    fn kid(&self) -> String {
        self.inner.thumbprint().to_owned()
    }

    /// The public JWK (String keys): `kty`, `n`, `e`, `kid`, `alg`.
    fn jwk(ruby: &Ruby, rb_self: &Self) -> Res<Value> {
        let jwk = Json::Object(rb_self.inner.verifying_key().to_jwk());
        json_to_ruby(ruby, &jwk, Keys::Strings)
    }

    fn inspect(&self) -> String {
        // Never key material.
        format!(
            "#<Gitlab::CloudConnector::SigningKey kid={:?}>",
            self.inner.thumbprint()
        )
    }
}

/// The claims of one instance token: the core's `JsonWebToken` (standard claims in the Rails
/// order, then the extra claims in the caller's Hash order, String/Symbol keys normalised, last
/// wins).
#[magnus::wrap(
    class = "Gitlab::CloudConnector::Native::JsonWebToken",
    free_immediately,
    size
)]
pub struct RbJsonWebToken {
    inner: JsonWebToken,
}

fn string_list(ruby: &Ruby, what: &str, value: Value) -> Res<Vec<String>> {
    match ruby_to_json(ruby, value)? {
        Json::Array(items) => items
            .into_iter()
            .map(|i| match i {
                Json::String(s) => Ok(s),
                other => Err(invalid_argument(
                    ruby,
                    format!("{what}: expected Strings or Symbols, got {other}"),
                )),
            })
            .collect(),
        other => Err(invalid_argument(
            ruby,
            format!("{what}: expected an Array, got {other}"),
        )),
    }
}

fn audience(ruby: &Ruby, value: Value) -> Res<Audience> {
    if RString::from_value(value).is_some() || Symbol::from_value(value).is_some() {
        return match ruby_to_json(ruby, value)? {
            Json::String(s) => Ok(Audience::One(s)),
            _ => Err(invalid_argument(ruby, "audience: not a String".into())),
        };
    }
    Ok(Audience::Many(string_list(ruby, "audience", value)?))
}

/// Extra claims in Hash order; a later key with the same name (String or Symbol) replaces the
/// value in place.
fn extra_claims(ruby: &Ruby, value: Value) -> Res<OrderedClaims> {
    let mut out = OrderedClaims::new();
    if value.is_nil() {
        return Ok(out);
    }
    let Some(hash) = RHash::from_value(value) else {
        return Err(invalid_argument(
            ruby,
            "extra_claims: expected a Hash".to_owned(),
        ));
    };
    let mut failure = None;
    hash.foreach(|k: Value, v: Value| {
        let key = if let Some(s) = Symbol::from_value(k) {
            s.name()?.into_owned()
        } else if let Some(s) = RString::from_value(k) {
            s.to_string()?
        } else {
            failure = Some(invalid_argument(
                ruby,
                "extra_claims: keys must be Strings or Symbols".to_owned(),
            ));
            return Ok(ForEach::Stop);
        };
        out.set(key, ruby_to_json(ruby, v)?);
        Ok(ForEach::Continue)
    })?;
    match failure {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

fn claims_hash(ruby: &Ruby, claims: &OrderedClaims) -> Res<RHash> {
    let h = ruby.hash_new();
    for (k, v) in claims.iter() {
        h.aset(ruby.to_symbol(k), json_to_ruby(ruby, v, Keys::Strings)?)?;
    }
    Ok(h)
}

impl RbJsonWebToken {
    /// `new(issuer, audience, subject, realm, scopes, ttl, extra_claims, now)`.
    #[allow(clippy::too_many_arguments)]
    fn new(
        ruby: &Ruby,
        issuer: String,
        audience: Value,
        subject: Option<String>,
        realm: String,
        scopes: Value,
        ttl: Value,
        extra: Value,
        now: i64,
    ) -> Res<RbJsonWebToken> {
        let ttl = lift(
            ruby,
            options::JWT_TTL_SECONDS.whole_seconds(Some(&ruby_arg(ruby, ttl)?)),
        )?;
        let audience = self::audience(ruby, audience)?;
        let scopes = string_list(ruby, "scopes", scopes)?;
        let extra = extra_claims(ruby, extra)?;
        let inner = JsonWebToken::try_new_at(issuer, audience, "", realm, scopes, ttl, extra, now)
            .map_err(|e| core_error(ruby, &e))?
            .with_subject(subject);
        Ok(RbJsonWebToken { inner })
    }

    /// The payload: Symbol keys at the top level, in the Rails order, extra claims last.
    fn payload(ruby: &Ruby, rb_self: &Self) -> Res<RHash> {
        claims_hash(ruby, &rb_self.inner.payload())
    }

    /// The nine standard claims (Symbol keys, Rails order), without the extra claims.
    fn standard_claims(ruby: &Ruby, rb_self: &Self) -> Res<RHash> {
        claims_hash(ruby, &rb_self.inner.standard_claims())
    }

    fn id(&self) -> String {
        self.inner.id.clone()
    }

    fn issued_at(&self) -> i64 {
        self.inner.issued_at
    }

    fn not_before(&self) -> i64 {
        self.inner.not_before
    }

    fn expires_at(&self) -> i64 {
        self.inner.expires_at
    }

    /// Compact JWS, header `{alg: RS256, kid, typ: JWT}`, signed with `key`. `kid` is the
    /// caller's (a ruby-jwt JWK's `kid`), or the key's thumbprint when nil.
    fn encode(ruby: &Ruby, rb_self: &Self, key: &RbSigningKey, kid: Option<String>) -> Res<String> {
        let kid = kid.as_deref().unwrap_or_else(|| key.inner.thumbprint());
        let (jwt, key) = (&rb_self.inner, &key.inner);
        lift(ruby, without_gvl(|| jwt.encode_with_kid(key, kid)))
    }

    /// Rails' `TokenIssuer` claims: scopes and the `aud` list from `catalog`'s entitlements for
    /// `active_add_ons` (catalog names; `code_suggestions` reads as `duo_pro`) at `now`.
    #[allow(clippy::too_many_arguments)]
    fn issue(
        ruby: &Ruby,
        catalog: Obj<RbCatalog>,
        issuer: String,
        subject: String,
        realm: String,
        active_add_ons: Value,
        ttl: Value,
        extra: Value,
        now: i64,
    ) -> Res<RbJsonWebToken> {
        let ttl = lift(
            ruby,
            options::ISSUE_TTL_SECONDS.whole_seconds(Some(&ruby_arg(ruby, ttl)?)),
        )?;
        let request = TokenIssuer {
            issuer,
            subject,
            realm,
            active_add_ons: string_list(ruby, "active_add_ons", active_add_ons)?,
            ttl,
            extra_claims: extra_claims(ruby, extra)?,
            ..Default::default()
        };
        let inner = lift(ruby, request.claims_at(&catalog.inner, now))?;
        Ok(RbJsonWebToken { inner })
    }
}

/// A key ring with Rails' rotation rules (oldest key signs).
#[magnus::wrap(
    class = "Gitlab::CloudConnector::Native::KeyRing",
    free_immediately,
    size
)]
pub struct RbKeyRing {
    inner: Mutex<KeyRing>,
}

impl RbKeyRing {
    fn with<T>(&self, f: impl FnOnce(&mut KeyRing) -> T) -> T {
        f(&mut self.inner.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn new(ruby: &Ruby, pems: Vec<String>) -> Res<RbKeyRing> {
        let keys = pems
            .iter()
            .map(|p| SigningKey::from_pem(p))
            .collect::<Result<Vec<_>, CoreError>>();
        Ok(RbKeyRing {
            inner: Mutex::new(KeyRing::new(lift(ruby, keys)?)),
        })
    }

    fn load_dir(ruby: &Ruby, path: String) -> Res<RbKeyRing> {
        Ok(RbKeyRing {
            inner: Mutex::new(lift(ruby, KeyRing::load_dir(path.as_ref()))?),
        })
    }

    fn save_dir(ruby: &Ruby, rb_self: &Self, path: String) -> Res<()> {
        lift(ruby, rb_self.with(|r| r.save_dir(path.as_ref())))
    }

    fn create_new_key(ruby: &Ruby, rb_self: &Self) -> Res<RbSigningKey> {
        let key = without_gvl(|| rb_self.with(|r| r.create_new_key().cloned()));
        Ok(RbSigningKey {
            inner: lift(ruby, key)?,
        })
    }

    fn rotate(ruby: &Ruby, rb_self: &Self) -> Res<()> {
        lift(ruby, rb_self.with(KeyRing::rotate))
    }

    fn trim(ruby: &Ruby, rb_self: &Self) -> Res<()> {
        lift(ruby, rb_self.with(KeyRing::trim))
    }

    fn current(&self) -> Option<RbSigningKey> {
        self.with(|r| r.current().cloned())
            .map(|inner| RbSigningKey { inner })
    }

    fn keys(ruby: &Ruby, rb_self: &Self) -> Res<RArray> {
        let keys: Vec<SigningKey> = rb_self.with(|r| r.keys().to_vec());
        let out = ruby.ary_new_capa(keys.len());
        for inner in keys {
            out.push(RbSigningKey { inner })?;
        }
        Ok(out)
    }

    fn size(&self) -> usize {
        self.with(|r| r.keys().len())
    }

    /// The public JWKS, String keys (`{"keys" => [...]}`), ready for `to_json`.
    fn jwks(ruby: &Ruby, rb_self: &Self) -> Res<Value> {
        json_to_ruby(ruby, &rb_self.with(|r| r.jwks()), Keys::Strings)
    }

    /// The ring's public keys as a key set, to verify our own tokens.
    fn key_set(&self) -> RbKeySet {
        RbKeySet {
            inner: self.with(|r| r.key_set()),
            skipped: Vec::new(),
        }
    }
}

/// The raw signature check under `KeySet#verify`, prepared once (the core's `SignatureFloor`):
/// for benchmarks that time the floor in the same process as `verify`.
#[magnus::wrap(
    class = "Gitlab::CloudConnector::Native::SignatureFloor",
    free_immediately,
    size
)]
pub struct RbSignatureFloor {
    inner: SignatureFloor,
}

impl RbSignatureFloor {
    fn new(ruby: &Ruby, token: String, keys: &RbKeySet) -> Res<RbSignatureFloor> {
        let inner = lift(ruby, SignatureFloor::new(&token, &keys.inner))?;
        Ok(RbSignatureFloor { inner })
    }

    fn check(&self) -> bool {
        self.inner.check()
    }
}

/// The raw signature under `JsonWebToken#encode`, prepared once (the core's `SigningFloor`): for
/// benchmarks that time the floor in the same process as issuance.
#[magnus::wrap(
    class = "Gitlab::CloudConnector::Native::SigningFloor",
    free_immediately,
    size
)]
pub struct RbSigningFloor {
    inner: SigningFloor,
}

impl RbSigningFloor {
    fn new(ruby: &Ruby, pem: String, token: String) -> Res<RbSigningFloor> {
        let inner = lift(ruby, SigningFloor::new(&pem, &token))?;
        Ok(RbSigningFloor { inner })
    }

    fn sign(&self) -> bool {
        self.inner.sign()
    }
}

/// Public keys parsed once, and the core's verifier over them.
#[magnus::wrap(
    class = "Gitlab::CloudConnector::Native::KeySet",
    free_immediately,
    size
)]
pub struct RbKeySet {
    inner: KeySet,
    skipped: Vec<String>,
}

fn json_doc(ruby: &Ruby, value: Value, code: ErrorCode, what: &str) -> Res<Json> {
    if let Some(s) = RString::from_value(value) {
        let text = s.to_string()?;
        return serde_json::from_str(&text).map_err(|e| {
            core_error(
                ruby,
                &CoreError::new(code, format!("{what} is not JSON: {e}")),
            )
        });
    }
    ruby_to_json(ruby, value)
}

impl RbKeySet {
    /// From a JWKS Hash or JSON String. Unusable keys are skipped (see `skipped`); a document
    /// that is not a JWKS raises `JwksInvalidError`.
    fn from_jwks(ruby: &Ruby, jwks: Value) -> Res<RbKeySet> {
        let doc = json_doc(ruby, jwks, ErrorCode::JwksInvalid, "JWKS")?;
        let (inner, skipped) = lift(ruby, KeySet::from_jwks(&doc))?;
        Ok(RbKeySet {
            inner,
            skipped: skipped
                .iter()
                .map(|e| format!("{} ({})", e.message(), e.code()))
                .collect(),
        })
    }

    fn kids(&self) -> Vec<Option<String>> {
        self.inner.kids()
    }

    fn skipped(&self) -> Vec<String> {
        self.skipped.clone()
    }

    fn size(&self) -> usize {
        self.inner.len()
    }

    fn jwks(ruby: &Ruby, rb_self: &Self) -> Res<Value> {
        json_to_ruby(ruby, &rb_self.inner.to_jwks(), Keys::Strings)
    }

    /// `[claims, header]` (String keys) or the typed error. `options`: the Ruby half's keyword
    /// arguments as a Hash with Symbol keys.
    fn decode(ruby: &Ruby, rb_self: &Self, token: String, options: RHash) -> Res<(Value, Value)> {
        let (v, now) = lift(ruby, options::validation(&ruby_args(ruby, options)?))?;
        let verified = lift(ruby, verify(&token, &rb_self.inner, &v, now))?;
        Ok((
            claims_to_ruby(ruby, &verified.claims, false)?.as_value(),
            claims_to_ruby(ruby, &verified.header, false)?.as_value(),
        ))
    }

    /// `verify(token, audience:)` without other options: the common call, without building an
    /// options Hash (String keys, frozen String values).
    fn verify_for(ruby: &Ruby, rb_self: &Self, token: String, audience: Value) -> Res<RHash> {
        let v = Validation::new(audience_list(ruby, audience)?);
        let now = cloud_connector::token::now();
        let verified = lift(ruby, verify(&token, &rb_self.inner, &v, now))?;
        claims_to_ruby(ruby, &verified.claims, false)
    }
}

/// The RFC 7638 thumbprint of a JWK Hash (raises `KeyInvalidError` for a key we refuse).
fn jwk_thumbprint(ruby: &Ruby, jwk: Value) -> Res<String> {
    let value = json_doc(ruby, jwk, ErrorCode::KeyInvalid, "JWK")?;
    lift(ruby, parse_jwk(&value).map(|k| k.thumbprint()))
}

pub fn init(ruby: &Ruby, native: RModule) -> Res<()> {
    native.define_module_function("jwk_thumbprint", function!(jwk_thumbprint, 1))?;

    let k = native.define_class("SigningKey", ruby.class_object())?;
    k.define_singleton_method("generate", function!(RbSigningKey::generate, 0))?;
    k.define_singleton_method("from_pem", function!(RbSigningKey::from_pem, 1))?;
    k.define_method("to_pem", method!(RbSigningKey::to_pem, 0))?;
    k.define_method("public_pem", method!(RbSigningKey::public_pem, 0))?;
    k.define_method("kid", method!(RbSigningKey::kid, 0))?;
    k.define_method("jwk", method!(RbSigningKey::jwk, 0))?;
    k.define_method("inspect", method!(RbSigningKey::inspect, 0))?;

    let t = native.define_class("JsonWebToken", ruby.class_object())?;
    t.define_singleton_method("build", function!(RbJsonWebToken::new, 8))?;
    t.define_singleton_method("issue", function!(RbJsonWebToken::issue, 8))?;
    t.define_method("payload", method!(RbJsonWebToken::payload, 0))?;
    t.define_method(
        "standard_claims",
        method!(RbJsonWebToken::standard_claims, 0),
    )?;
    t.define_method("id", method!(RbJsonWebToken::id, 0))?;
    t.define_method("issued_at", method!(RbJsonWebToken::issued_at, 0))?;
    t.define_method("not_before", method!(RbJsonWebToken::not_before, 0))?;
    t.define_method("expires_at", method!(RbJsonWebToken::expires_at, 0))?;
    t.define_method("encode", method!(RbJsonWebToken::encode, 2))?;

    let r = native.define_class("KeyRing", ruby.class_object())?;
    r.define_singleton_method("from_pems", function!(RbKeyRing::new, 1))?;
    r.define_singleton_method("load_dir", function!(RbKeyRing::load_dir, 1))?;
    r.define_method("save_dir", method!(RbKeyRing::save_dir, 1))?;
    r.define_method("create_new_key", method!(RbKeyRing::create_new_key, 0))?;
    r.define_method("rotate", method!(RbKeyRing::rotate, 0))?;
    r.define_method("trim", method!(RbKeyRing::trim, 0))?;
    r.define_method("current", method!(RbKeyRing::current, 0))?;
    r.define_method("keys", method!(RbKeyRing::keys, 0))?;
    r.define_method("size", method!(RbKeyRing::size, 0))?;
    r.define_method("jwks", method!(RbKeyRing::jwks, 0))?;
    r.define_method("key_set", method!(RbKeyRing::key_set, 0))?;

    let s = native.define_class("KeySet", ruby.class_object())?;
    s.define_singleton_method("from_jwks", function!(RbKeySet::from_jwks, 1))?;
    s.define_method("kids", method!(RbKeySet::kids, 0))?;
    s.define_method("skipped", method!(RbKeySet::skipped, 0))?;
    s.define_method("size", method!(RbKeySet::size, 0))?;
    s.define_method("jwks", method!(RbKeySet::jwks, 0))?;
    s.define_method("decode", method!(RbKeySet::decode, 2))?;
    s.define_method("verify_for", method!(RbKeySet::verify_for, 2))?;

    let f = native.define_class("SignatureFloor", ruby.class_object())?;
    f.define_singleton_method("new", function!(RbSignatureFloor::new, 2))?;
    f.define_method("check", method!(RbSignatureFloor::check, 0))?;
    let f = native.define_class("SigningFloor", ruby.class_object())?;
    f.define_singleton_method("new", function!(RbSigningFloor::new, 2))?;
    f.define_method("sign", method!(RbSigningFloor::sign, 0))?;
    Ok(())
}
