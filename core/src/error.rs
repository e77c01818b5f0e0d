//! The one error type of the core. Every failure has a stable, machine-readable [`ErrorCode`];
//! bindings map codes to their own exception classes and keep the code on them, so a caller can
//! branch on `code` without parsing messages.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

/// A stable code per failure. The string forms (`as_str`) are part of the public contract of
/// every binding: never rename one, only add.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorCode {
    /// A catalog directory (or embedded catalog, or override) has one or more problems.
    CatalogInvalid,
    /// The catalog directory to load does not exist or is not a directory.
    CatalogNotFound,
    /// The legacy generator was given a realm other than `gitlab-com` / `self-managed`.
    InvalidRealm,
    /// Override configuration has the wrong shape.
    InvalidOverride,
    /// An argument outside the catalog or token rules (a time that does not parse, ...).
    InvalidArgument,
    /// The token is not a well-formed compact JWS (segments, base64url, JSON, header members).
    TokenMalformed,
    /// The token is longer than the configured limit; refused before decoding.
    TokenTooLarge,
    /// The header `alg` is not on the allow-list (`none` never is).
    UnsupportedAlgorithm,
    /// The header `crit` names an extension this library does not understand.
    CritUnsupported,
    /// No candidate key verified the signature.
    InvalidSignature,
    /// The token's `kid` is not in the key set, even after a refresh.
    UnknownKey,
    /// `exp` is in the past (beyond the leeway).
    TokenExpired,
    /// `nbf` is in the future (beyond the leeway).
    TokenNotYetValid,
    /// `iat` is in the future (only when that check is enabled).
    TokenUsedBeforeIssued,
    /// The token has no `aud` claim.
    MissingAudience,
    /// None of the token's audiences is an expected one.
    AudienceMismatch,
    /// `iss` is not the configured issuer.
    IssuerMismatch,
    /// A registered claim has the wrong JSON type (`exp` as a string, `aud` as a number, ...).
    InvalidClaimType,
    /// A claim that cannot be checked here (`at_hash`) is present.
    UnsupportedClaim,
    /// A key (PEM, DER or JWK) does not parse or is unusable (too small, wrong curve, ...).
    KeyInvalid,
    /// A JWKS or discovery document is not valid JSON of the expected shape.
    JwksInvalid,
    /// Fetching a discovery document or JWKS failed (connection, timeout, HTTP status).
    JwksFetchFailed,
    /// No key set is available at all: every provider failed or returned no keys.
    ProviderUnavailable,
    /// A key ring operation broke a rotation rule, or its directory could not be read or written.
    KeyRing,
    /// Neither `CLOUD_CONNECTOR_SERVICE_NAME` nor a configured service name is set.
    NoServiceName,
}

impl ErrorCode {
    /// Every code, for bindings that build one exception class per code.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::CatalogInvalid,
        ErrorCode::CatalogNotFound,
        ErrorCode::InvalidRealm,
        ErrorCode::InvalidOverride,
        ErrorCode::InvalidArgument,
        ErrorCode::TokenMalformed,
        ErrorCode::TokenTooLarge,
        ErrorCode::UnsupportedAlgorithm,
        ErrorCode::CritUnsupported,
        ErrorCode::InvalidSignature,
        ErrorCode::UnknownKey,
        ErrorCode::TokenExpired,
        ErrorCode::TokenNotYetValid,
        ErrorCode::TokenUsedBeforeIssued,
        ErrorCode::MissingAudience,
        ErrorCode::AudienceMismatch,
        ErrorCode::IssuerMismatch,
        ErrorCode::InvalidClaimType,
        ErrorCode::UnsupportedClaim,
        ErrorCode::KeyInvalid,
        ErrorCode::JwksInvalid,
        ErrorCode::JwksFetchFailed,
        ErrorCode::ProviderUnavailable,
        ErrorCode::KeyRing,
        ErrorCode::NoServiceName,
    ];

    /// The stable string form, e.g. `catalog_invalid`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::CatalogInvalid => "catalog_invalid",
            ErrorCode::CatalogNotFound => "catalog_not_found",
            ErrorCode::InvalidRealm => "invalid_realm",
            ErrorCode::InvalidOverride => "invalid_override",
            ErrorCode::InvalidArgument => "invalid_argument",
            ErrorCode::TokenMalformed => "token_malformed",
            ErrorCode::TokenTooLarge => "token_too_large",
            ErrorCode::UnsupportedAlgorithm => "unsupported_algorithm",
            ErrorCode::CritUnsupported => "crit_unsupported",
            ErrorCode::InvalidSignature => "invalid_signature",
            ErrorCode::UnknownKey => "unknown_key",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::TokenNotYetValid => "token_not_yet_valid",
            ErrorCode::TokenUsedBeforeIssued => "token_used_before_issued",
            ErrorCode::MissingAudience => "missing_audience",
            ErrorCode::AudienceMismatch => "audience_mismatch",
            ErrorCode::IssuerMismatch => "issuer_mismatch",
            ErrorCode::InvalidClaimType => "invalid_claim_type",
            ErrorCode::UnsupportedClaim => "unsupported_claim",
            ErrorCode::KeyInvalid => "key_invalid",
            ErrorCode::JwksInvalid => "jwks_invalid",
            ErrorCode::JwksFetchFailed => "jwks_fetch_failed",
            ErrorCode::ProviderUnavailable => "provider_unavailable",
            ErrorCode::KeyRing => "key_ring",
            ErrorCode::NoServiceName => "no_service_name",
        }
    }

    /// The code whose [`ErrorCode::as_str`] is `code`, if any.
    pub fn from_code(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == code)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of catalog problem a [`Problem`] is. Stable strings, like [`ErrorCode`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The file is not valid YAML.
    YamlSyntax,
    /// The file holds no document.
    EmptyFile,
    /// The document (or an override) is not a mapping.
    NotAMapping,
    /// A required field is absent.
    MissingField,
    /// A field the record kind does not have.
    UnknownField,
    /// A value of the wrong YAML type (`null` included).
    WrongType,
    /// A value of the right type that breaks a rule (a bad name, URL, version, timestamp, ...).
    InvalidValue,
    /// The record's `name` differs from its file name.
    FileNameMismatch,
    /// Two records of a kind share a name or an alias, or two backends a `jwt_aud`.
    DuplicateName,
    /// A list repeats an entry.
    DuplicateEntry,
    /// A reference names no record of the kind it points at.
    DanglingReference,
    /// A catalog file does not end in `.yml`.
    WrongExtension,
    /// A file or directory could not be read.
    Io,
}

impl ProblemKind {
    /// The stable string form, e.g. `missing_field`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ProblemKind::YamlSyntax => "yaml_syntax",
            ProblemKind::EmptyFile => "empty_file",
            ProblemKind::NotAMapping => "not_a_mapping",
            ProblemKind::MissingField => "missing_field",
            ProblemKind::UnknownField => "unknown_field",
            ProblemKind::WrongType => "wrong_type",
            ProblemKind::InvalidValue => "invalid_value",
            ProblemKind::FileNameMismatch => "file_name_mismatch",
            ProblemKind::DuplicateName => "duplicate_name",
            ProblemKind::DuplicateEntry => "duplicate_entry",
            ProblemKind::DanglingReference => "dangling_reference",
            ProblemKind::WrongExtension => "wrong_extension",
            ProblemKind::Io => "io",
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing wrong with a catalog: where (file, record, field) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// What kind of problem.
    pub kind: ProblemKind,
    /// The file, relative to the catalog root (`unit_primitives/duo_chat.yml`), or
    /// `override:<kind>/<name>` for a problem in override configuration.
    pub file: Option<String>,
    /// The record's name, when known.
    pub record: Option<String>,
    /// The field, when the problem is about one.
    pub field: Option<String>,
    /// What is wrong, in words.
    pub message: String,
}

impl Problem {
    /// A problem with no location yet; add one with the builders below.
    pub fn new(kind: ProblemKind, message: impl Into<String>) -> Problem {
        Problem {
            kind,
            file: None,
            record: None,
            field: None,
            message: message.into(),
        }
    }
    /// In this file (relative to the catalog root).
    pub fn in_file(mut self, file: impl Into<String>) -> Problem {
        self.file = Some(file.into());
        self
    }
    /// Of this record.
    pub fn for_record(mut self, record: impl Into<String>) -> Problem {
        self.record = Some(record.into());
        self
    }
    /// At this field.
    pub fn at_field(mut self, field: impl Into<String>) -> Problem {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        match (&self.record, &self.field) {
            (Some(r), Some(field)) => write!(f, "record '{r}', field '{field}': ")?,
            (Some(r), None) => write!(f, "record '{r}': ")?,
            (None, Some(field)) => write!(f, "field '{field}': ")?,
            (None, None) => {}
        }
        write!(f, "{} ({})", self.message, self.kind)
    }
}

/// What a binding's callback raised (a Python exception, ...), carried opaquely through the core
/// so the binding can hand the very same object back to its caller (a log call, a re-raise).
/// Two causes are equal only when they are the same object.
#[derive(Clone)]
pub struct Cause(Arc<dyn Any + Send + Sync>);

impl Cause {
    /// Wraps what a binding's callback raised.
    pub fn new<T: Any + Send + Sync>(value: T) -> Cause {
        Cause(Arc::new(value))
    }

    /// The wrapped value, when it is a `T`.
    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        self.0.downcast_ref()
    }
}

impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cause(..)")
    }
}

impl PartialEq for Cause {
    fn eq(&self, other: &Cause) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Cause {}

/// The core's error: a stable code, a message naming what and where, for catalog errors the
/// full list of problems, and what a binding's callback raised when that is the failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
    problems: Vec<Problem>,
    cause: Option<Cause>,
}

impl Error {
    /// An error with this code and message (no problems).
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
            problems: Vec::new(),
            cause: None,
        }
    }

    /// The error with what a binding's callback raised attached.
    pub fn with_cause(mut self, cause: Option<Cause>) -> Error {
        self.cause = cause;
        self
    }

    /// A `catalog_invalid` error listing every problem; the message summarises them all.
    pub fn catalog_invalid(problems: Vec<Problem>) -> Error {
        let mut message = format!(
            "catalog is invalid: {} problem{}",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        );
        for p in &problems {
            message.push_str("\n  ");
            message.push_str(&p.to_string());
        }
        Error {
            code: ErrorCode::CatalogInvalid,
            message,
            problems,
            cause: None,
        }
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }
    /// What went wrong and where.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// Every problem of a `catalog_invalid` error; empty for other codes.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
    /// What a binding's callback raised, when the failure came from one.
    pub fn cause(&self) -> Option<&Cause> {
        self.cause.as_ref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// The core's `Result`, with [`Error`] by default.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_stable_strings_that_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(
                s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{s}"
            );
            assert_eq!(ErrorCode::from_code(s), Some(*code));
        }
        assert_eq!(ErrorCode::from_code("nope"), None);
        assert_eq!(ErrorCode::CatalogInvalid.to_string(), "catalog_invalid");
    }

    #[test]
    fn problems_display_where_and_what() {
        let p = Problem::new(ProblemKind::WrongType, "expected a list")
            .in_file("config/unit_primitives/x.yml")
            .for_record("x")
            .at_field("add_ons");
        assert_eq!(
            p.to_string(),
            "config/unit_primitives/x.yml: record 'x', field 'add_ons': expected a list (wrong_type)"
        );
        let e = Error::catalog_invalid(vec![p.clone(), Problem::new(ProblemKind::Io, "boom")]);
        assert_eq!(e.code(), ErrorCode::CatalogInvalid);
        assert_eq!(e.problems().len(), 2);
        assert!(e
            .message()
            .starts_with("catalog is invalid: 2 problems\n  config/unit_primitives/x.yml"));
    }
}
