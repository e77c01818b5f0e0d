//! `cloud-connector token ...`: issue with a key ring (from add-ons through entitlements, or
//! explicit scopes), verify against a JWKS file, PEM or OIDC issuer, inspect without trusting.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};
use cloud_connector::auth::{
    CompositeConfig, CompositeProvider, HttpConfig, KeySource, OidcProvider, StaticJwksProvider,
};
use cloud_connector::token::{
    jws, verify, verifying_key_from_pem, Algorithm, KeyRing, KeySet, OrderedClaims, Validation,
};
use cloud_connector::{Catalog, Error, ErrorCode};
use serde_json::{json, Value};

use crate::failure::Failure;
use crate::issuing::{current_key, payload, IssueRequest};
use crate::output::{emit, print_json};
use crate::Outcome;

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Sign an instance token with the key ring's current key.
    Issue(IssueArgs),
    /// Verify a token (argument, or `-` for stdin); prints the claims, or the error code.
    Verify(VerifyArgs),
    /// Decode a token's header and claims WITHOUT checking anything.
    Inspect {
        /// The token, or `-` to read it from stdin.
        token: String,
    },
}

#[derive(Args, Debug)]
pub struct IssueArgs {
    #[arg(long, value_name = "DIR")]
    keys: PathBuf,
    /// Active add-on (repeat): scopes and audiences come from the catalog's entitlements.
    #[arg(long = "add-on", conflicts_with = "scopes")]
    add_ons: Vec<String>,
    /// Explicit scope (repeat), with --audience.
    #[arg(long = "scope")]
    scopes: Vec<String>,
    /// Audience (repeat) for explicit scopes.
    #[arg(long = "audience", requires = "scopes")]
    audiences: Vec<String>,
    #[arg(long, default_value = "https://gitlab.com")]
    issuer: String,
    /// The instance UUID.
    #[arg(long)]
    subject: String,
    /// `saas` or `self-managed`.
    #[arg(long, default_value = "self-managed")]
    realm: String,
    /// Lifetime in seconds; negative (explicit scopes only) gives an already expired token.
    #[arg(long, default_value_t = cloud_connector::options::ISSUE_TTL_SECONDS.default as i64, allow_negative_numbers = true)]
    ttl: i64,
    /// Extra claim `name=value` (value parsed as JSON when it is JSON, else a string).
    #[arg(long = "claim", value_name = "NAME=VALUE")]
    claims: Vec<String>,
    #[arg(long)]
    license: Option<String>,
    #[arg(long)]
    gitlab_version: Option<String>,
    /// Print `{"token", "claims"}` instead of the token alone.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    token: String,
    /// Expected audience (repeat for several).
    #[arg(long = "audience", required = true)]
    audiences: Vec<String>,
    /// A JWKS file.
    #[arg(long, group = "keys")]
    jwks: Option<PathBuf>,
    /// A PEM public (or private) key.
    #[arg(long, group = "keys")]
    pem: Option<PathBuf>,
    /// An OIDC issuer base URL (discovery -> jwks_uri).
    #[arg(long, group = "keys")]
    oidc: Option<String>,
    #[arg(long)]
    issuer: Option<String>,
    /// Allowed algorithm (repeat); RS256 by default.
    #[arg(long = "alg")]
    algorithms: Vec<String>,
    #[arg(long, default_value_t = 0)]
    leeway: u64,
}

fn read_token(arg: &str) -> Result<String, Failure> {
    if arg != "-" {
        return Ok(arg.trim().to_owned());
    }
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .map_err(|e| Failure::new("io", format!("cannot read stdin: {e}"), 2))?;
    Ok(s.trim().to_owned())
}

/// `--claim NAME=VALUE` pairs in command-line order (a later NAME replaces an earlier one).
fn extra_claims(pairs: &[String]) -> Result<OrderedClaims, Failure> {
    let mut map = OrderedClaims::new();
    for pair in pairs {
        let (name, value) = pair.split_once('=').ok_or_else(|| {
            Failure::new(
                "invalid_argument",
                format!("--claim '{pair}' is not NAME=VALUE"),
                2,
            )
        })?;
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
        map.set(name, value);
    }
    Ok(map)
}

fn issue(a: IssueArgs, config: Option<&Path>) -> Outcome {
    let catalog = match config {
        Some(dir) => Catalog::load_dir(dir)?,
        None => Catalog::embedded().clone(),
    };
    if !a.keys.is_dir() {
        return Err(Error::new(
            ErrorCode::KeyRing,
            format!("key ring directory {} does not exist", a.keys.display()),
        )
        .into());
    }
    let ring = KeyRing::load_dir(&a.keys)?;
    let key = current_key(&ring)?;
    let request = IssueRequest {
        issuer: a.issuer,
        subject: a.subject,
        realm: a.realm,
        add_ons: a.add_ons,
        scopes: a.scopes,
        audiences: a.audiences,
        ttl: a.ttl,
        extra: extra_claims(&a.claims)?,
        license: a.license,
        gitlab_version: a.gitlab_version,
    };
    let (token, claims) = crate::issuing::issue(&catalog, key, request)?;
    if a.json {
        print_json(&json!({"token": token, "claims": payload(&claims)}));
    } else {
        emit(&token);
    }
    Ok(ExitCode::SUCCESS)
}

fn key_set_from_file(path: &Path) -> Result<KeySet, Error> {
    let provider = StaticJwksProvider::from_file("jwks", path)?;
    provider.load()
}

fn verify_cmd(a: VerifyArgs) -> Outcome {
    let token = read_token(&a.token)?;
    let mut v = Validation::new(a.audiences.clone());
    v.issuer = a.issuer;
    v.leeway = a.leeway;
    if !a.algorithms.is_empty() {
        v.algorithms = a
            .algorithms
            .iter()
            .map(|n| {
                Algorithm::from_name(n).ok_or_else(|| {
                    Failure::new(
                        "invalid_argument",
                        format!("unsupported algorithm '{n}'"),
                        2,
                    )
                })
            })
            .collect::<Result<_, _>>()?;
    }
    let result = if let Some(url) = a.oidc {
        let source: Arc<dyn KeySource> =
            Arc::new(OidcProvider::new("oidc", &url, HttpConfig::default()));
        let config = CompositeConfig {
            algorithms: v.algorithms.clone(),
            issuer: v.issuer.clone(),
            leeway: v.leeway,
            ..CompositeConfig::default()
        };
        let provider = CompositeProvider::new(vec![source], config);
        let audiences: Vec<&str> = a.audiences.iter().map(String::as_str).collect();
        provider
            .verify(&token, &audiences)
            .map(|v| (v.header, v.claims))
    } else {
        let keys = match (a.jwks, a.pem) {
            (Some(path), _) => key_set_from_file(&path)?,
            (None, Some(path)) => {
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    Error::new(
                        ErrorCode::KeyInvalid,
                        format!("cannot read {}: {e}", path.display()),
                    )
                })?;
                KeySet::new(vec![Arc::new(verifying_key_from_pem(&text)?)])
            }
            (None, None) => {
                return Err(Failure::new(
                    "invalid_argument",
                    "give --jwks FILE, --pem FILE or --oidc URL",
                    2,
                ))
            }
        };
        verify(&token, &keys, &v, cloud_connector::token::now()).map(|v| (v.header, v.claims))
    };
    match result {
        Ok((header, claims)) => {
            print_json(&json!({"valid": true, "header": *header, "claims": *claims}));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            print_json(&json!({"valid": false, "code": e.code().as_str(), "message": e.message()}));
            Ok(ExitCode::from(1))
        }
    }
}

fn inspect(token: &str) -> Outcome {
    let token = read_token(token)?;
    let parsed = jws::parse(&token, cloud_connector::token::DEFAULT_MAX_TOKEN_SIZE)?;
    let claims = parsed.claims()?;
    print_json(&json!({
        "warning": "decoded only: the signature and claims were NOT checked",
        "header": parsed.header,
        "claims": claims,
    }));
    Ok(ExitCode::SUCCESS)
}

pub fn run(cmd: TokenCommand, config: Option<&Path>) -> Outcome {
    match cmd {
        TokenCommand::Issue(a) => issue(a, config),
        TokenCommand::Verify(a) => verify_cmd(a),
        TokenCommand::Inspect { token } => inspect(&token),
    }
}
