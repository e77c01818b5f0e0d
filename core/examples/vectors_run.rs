//! The Rust runner of `make vectors` (tests/vectors/README.md "make vectors"): every case of
//! tests/vectors/catalog.json, tokens.json, fuzz-regressions.json and arguments.json through the core's public
//! API, printed as one JSON document of observed results for tests/vectors/compare.py.
//!
//! `cargo run -q -p cloud-connector --example vectors_run -- <repo root>`

#[allow(dead_code)]
#[path = "../../fuzz/src/checks.rs"]
mod checks;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use cloud_connector::auth::{
    authenticate, CompositeConfig, CompositeProvider, KeySource, LocalAuthProvider, UserClaims,
};
use cloud_connector::catalog::{EntitlementRequest, Record, RecordKind};
use cloud_connector::options::{self, Arg, Args};
use cloud_connector::token::{self, parse_jwk, Algorithm, KeySet, Validation};
use cloud_connector::{Catalog, Error};
use serde_json::{json, Map, Value};

/// A bad vector file or case: reported with the file and case id, exit 2.
struct Bad(String);

type Run<T> = Result<T, Bad>;

fn bad<T>(file: &str, id: &str, what: impl std::fmt::Display) -> Run<T> {
    Err(Bad(format!("{file}#{id}: {what}")))
}

fn read(dir: &Path, file: &str) -> Run<Value> {
    let path = dir.join(file);
    let text =
        std::fs::read_to_string(&path).map_err(|e| Bad(format!("{}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| Bad(format!("{}: {e}", path.display())))
}

fn cases<'a>(file: &str, doc: &'a Value, section: &str) -> Run<&'a Vec<Value>> {
    match doc[section].as_array() {
        Some(list) => Ok(list),
        None => bad(file, section, "the section is missing or not a list"),
    }
}

fn id_of<'a>(file: &str, section: &str, case: &'a Value) -> Run<&'a str> {
    match case["id"].as_str() {
        Some(id) => Ok(id),
        None => bad(file, section, format!("a case without a string id: {case}")),
    }
}

fn string<'a>(file: &str, id: &str, case: &'a Value, name: &str) -> Run<&'a str> {
    match case[name].as_str() {
        Some(s) => Ok(s),
        None => bad(file, id, format!("`{name}` is missing or not a string")),
    }
}

// ---------------------------------------------------------------------------------------------
// catalog.json

const CATALOG_OPS: &[&str] = &[
    "lookup",
    "all_names",
    "associations",
    "entitlements",
    "entitlements_includes",
    "legacy",
    "load",
];

/// Paths under the runner's temporary directory are reported as `$TMP`, so every language's
/// observed messages are the same text.
fn scrub(text: &str, tmp: &Path) -> String {
    let mut out = text.to_owned();
    if let Ok(real) = tmp.canonicalize() {
        out = out.replace(&*real.to_string_lossy(), "$TMP");
    }
    out.replace(&*tmp.to_string_lossy(), "$TMP")
}

fn catalog_error(e: &Error, tmp: &Path) -> Value {
    let problems: Vec<Value> = e
        .problems()
        .iter()
        .map(|p| {
            json!({
                "kind": p.kind.as_str(),
                "file": p.file.as_deref().map(|f| scrub(f, tmp)),
                "record": p.record,
                "field": p.field,
                "message": scrub(&p.message, tmp),
            })
        })
        .collect();
    json!({"error": {"code": e.code().as_str(), "message": scrub(e.message(), tmp), "problems": problems}})
}

fn names<T: Record>(records: &[T]) -> Value {
    json!(records.iter().map(|r| r.name()).collect::<Vec<_>>())
}

fn kind(file: &str, id: &str, case: &Value) -> Run<RecordKind> {
    let k = string(file, id, case, "kind")?;
    match RecordKind::from_dir(k) {
        Some(kind) => Ok(kind),
        None => bad(file, id, format!("unknown kind {k}")),
    }
}

fn request(file: &str, id: &str, v: &Value) -> Run<EntitlementRequest> {
    let Some(list) = v["add_ons"].as_array() else {
        return bad(file, id, "request.add_ons is not a list");
    };
    let mut add_ons = Vec::new();
    for a in list {
        match a.as_str() {
            Some(s) => add_ons.push(s.to_owned()),
            None => return bad(file, id, "request.add_ons holds a non-string"),
        }
    }
    let at = string(file, id, v, "at")?;
    let at: chrono::DateTime<chrono::Utc> = match at.parse() {
        Ok(at) => at,
        Err(e) => return bad(file, id, format!("request.at {at}: {e}")),
    };
    let mut r = EntitlementRequest::with_add_ons(add_ons).at(at);
    r.license_type = v["license_type"].as_str().map(str::to_owned);
    r.gitlab_version = v["gitlab_version"].as_str().map(str::to_owned);
    Ok(r)
}

fn catalog_op(file: &str, id: &str, case: &Value, c: &Catalog) -> Run<Result<Value, Error>> {
    let op = string(file, id, case, "op")?;
    Ok(Ok(match op {
        "load" => json!("loaded"),
        "lookup" => {
            let name = string(file, id, case, "name")?;
            json!(match kind(file, id, case)? {
                RecordKind::UnitPrimitive => c.unit_primitive(name).map(|r| r.name.clone()),
                RecordKind::BackendService => c.backend_service(name).map(|r| r.name.clone()),
                RecordKind::AddOn => c.add_on(name).map(|r| r.name.clone()),
                RecordKind::LicenseType => c.license_type(name).map(|r| r.name.clone()),
                RecordKind::Service => c.service(name).map(|r| r.name.clone()),
            })
        }
        "all_names" => match kind(file, id, case)? {
            RecordKind::UnitPrimitive => names(c.unit_primitives()),
            RecordKind::BackendService => names(c.backend_services()),
            RecordKind::AddOn => names(c.add_ons()),
            RecordKind::LicenseType => names(c.license_types()),
            RecordKind::Service => names(c.services()),
        },
        "associations" => {
            let name = string(file, id, case, "name")?;
            let assoc = string(file, id, case, "association")?;
            let list: Vec<&String> = match (kind(file, id, case)?, assoc) {
                (RecordKind::UnitPrimitive, a) => {
                    let Some(up) = c.unit_primitive(name) else {
                        return bad(file, id, format!("no unit primitive {name}"));
                    };
                    match a {
                        "backend_services" => {
                            c.backend_services_of(up).iter().map(|r| &r.name).collect()
                        }
                        "add_ons" => c.add_ons_of(up).iter().map(|r| &r.name).collect(),
                        "license_types" => c.license_types_of(up).iter().map(|r| &r.name).collect(),
                        other => return bad(file, id, format!("unknown association {other}")),
                    }
                }
                (RecordKind::Service, "unit_primitives") => {
                    let Some(svc) = c.service(name) else {
                        return bad(file, id, format!("no service {name}"));
                    };
                    c.unit_primitives_of(svc).iter().map(|r| &r.name).collect()
                }
                (k, a) => return bad(file, id, format!("unknown association {a} of {k:?}")),
            };
            json!(list)
        }
        "entitlements" | "entitlements_includes" => {
            match c.entitlements(&request(file, id, &case["request"])?) {
                Ok(e) => serde_json::to_value(e).map_err(|e| Bad(format!("{file}#{id}: {e}")))?,
                Err(e) => return Ok(Err(e)),
            }
        }
        "legacy" => match c.available_services_for(string(file, id, case, "realm")?) {
            Ok(s) => serde_json::to_value(s).map_err(|e| Bad(format!("{file}#{id}: {e}")))?,
            Err(e) => return Ok(Err(e)),
        },
        other => return bad(file, id, format!("unknown op {other}")),
    }))
}

fn run_catalog(dir: &Path, out: &mut Map<String, Value>) -> Run<()> {
    const FILE: &str = "catalog.json";
    let doc = read(dir, FILE)?;
    if doc["format"] != 1 {
        return bad(FILE, "format", format!("unknown format {}", doc["format"]));
    }
    let tmp = tempfile::tempdir().map_err(|e| Bad(format!("tempdir: {e}")))?;
    let mut loaded: HashMap<String, Result<Catalog, Error>> = HashMap::new();
    for case in cases(FILE, &doc, "cases")? {
        let id = id_of(FILE, "cases", case)?;
        let op = string(FILE, id, case, "op")?;
        if !CATALOG_OPS.contains(&op) {
            return bad(FILE, id, format!("unknown op {op}"));
        }
        let key = match &case["catalog"] {
            Value::Null => "<missing>".to_owned(),
            Value::String(s) => s.clone(),
            other => return bad(FILE, id, format!("catalog {other} is not a name or null")),
        };
        if !loaded.contains_key(&key) {
            let catalog = match key.as_str() {
                "embedded" => Ok(Catalog::embedded().clone()),
                "<missing>" => Catalog::load_dir(tmp.path().join("missing")),
                name => {
                    let Some(files) = doc["catalogs"][name]["files"].as_object() else {
                        return bad(FILE, id, format!("no catalog {name} in `catalogs`"));
                    };
                    let root = tmp.path().join(name);
                    for (rel, text) in files {
                        let Some(text) = text.as_str() else {
                            return bad(FILE, id, format!("catalog {name}: {rel} is not text"));
                        };
                        let path = root.join(rel);
                        let written = std::fs::create_dir_all(path.parent().unwrap_or(&root))
                            .and_then(|()| std::fs::write(&path, text));
                        if let Err(e) = written {
                            return bad(FILE, id, format!("{}: {e}", path.display()));
                        }
                    }
                    Catalog::load_dir(&root)
                }
            };
            loaded.insert(key.clone(), catalog);
        }
        let observed = match &loaded[&key] {
            Err(e) => catalog_error(e, tmp.path()),
            Ok(c) => match catalog_op(FILE, id, case, c)? {
                Ok(v) => v,
                Err(e) => catalog_error(&e, tmp.path()),
            },
        };
        out.insert(format!("{FILE}#cases#{id}"), observed);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// tokens.json

fn validation(file: &str, id: &str, default: &Value, overrides: &Value) -> Run<Validation> {
    let mut merged = default.as_object().cloned().unwrap_or_default();
    if let Some(o) = overrides.as_object() {
        merged.extend(o.clone());
    }
    let strings = |name: &str| -> Run<Vec<String>> {
        let list = merged[name].as_array().map(|l| {
            l.iter()
                .map(|s| s.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
        });
        match list {
            Some(Some(l)) => Ok(l),
            _ => bad(
                file,
                id,
                format!("validation.{name} is not a list of strings"),
            ),
        }
    };
    let mut v = Validation::new(strings("audiences")?);
    let mut algorithms = Vec::new();
    for a in strings("algorithms")? {
        match Algorithm::from_name(&a) {
            Some(alg) => algorithms.push(alg),
            None => return bad(file, id, format!("unknown algorithm {a}")),
        }
    }
    v.algorithms = algorithms;
    v.issuer = merged["issuer"].as_str().map(str::to_owned);
    let (Some(leeway), Some(size), Some(future), Some(verify)) = (
        merged["leeway"].as_u64(),
        merged["max_token_size"].as_u64(),
        merged["reject_future_iat"].as_bool(),
        merged["verify_signature"].as_bool(),
    ) else {
        return bad(file, id, format!("incomplete validation {merged:?}"));
    };
    v.leeway = leeway;
    v.max_token_size = usize::try_from(size).unwrap_or(usize::MAX);
    v.reject_future_iat = future;
    v.verify_signature = verify;
    Ok(v)
}

fn code(e: &Error) -> Value {
    json!(e.code().as_str())
}

/// Every field of `UserClaims`.
fn claims_fields(c: &UserClaims) -> Value {
    json!({
        "gitlab_realm": c.gitlab_realm,
        "scopes": c.scopes,
        "subject": c.subject,
        "issuer": c.issuer,
        "duo_seat_count": c.duo_seat_count,
        "gitlab_instance_id": c.gitlab_instance_id,
        "gitlab_instance_uid": c.gitlab_instance_uid,
        "extra": c.extra,
    })
}

fn run_tokens(dir: &Path, out: &mut Map<String, Value>) -> Run<()> {
    const FILE: &str = "tokens.json";
    let doc = read(dir, FILE)?;
    let keys = match KeySet::from_jwks(&doc["jwks"]) {
        Ok((keys, _)) => keys,
        Err(e) => return bad(FILE, "jwks", e),
    };
    for case in cases(FILE, &doc, "cases")? {
        let id = id_of(FILE, "cases", case)?;
        let v = validation(FILE, id, &doc["default_validation"], &case["validation"])?;
        let Some(now) = case["now"].as_i64() else {
            return bad(FILE, id, "`now` is not an integer");
        };
        let observed = match token::verify(string(FILE, id, case, "token")?, &keys, &v, now) {
            Ok(t) => json!({"valid": true, "claims": &*t.claims}),
            Err(e) => json!({"valid": false, "error": code(&e), "message": e.message()}),
        };
        out.insert(format!("{FILE}#cases#{id}"), observed);
    }
    for case in cases(FILE, &doc, "jwks_cases")? {
        let id = id_of(FILE, "jwks_cases", case)?;
        let observed = match KeySet::from_jwks(&case["jwks"]) {
            Ok((set, skipped)) => {
                json!({"keys": set.len(), "skipped": skipped.len(), "kids": set.kids()})
            }
            Err(e) => json!({"error": code(&e)}),
        };
        out.insert(format!("{FILE}#jwks_cases#{id}"), observed);
    }
    for case in cases(FILE, &doc, "jwk_cases")? {
        let id = id_of(FILE, "jwk_cases", case)?;
        let observed = match parse_jwk(&case["jwk"]) {
            Ok(k) => json!({"thumbprint": k.thumbprint()}),
            Err(e) => json!({"error": code(&e)}),
        };
        out.insert(format!("{FILE}#jwk_cases#{id}"), observed);
    }
    let auth = &doc["authenticate"];
    let service = string(FILE, "authenticate", auth, "service_name")?;
    let pem = |name: &str| string(FILE, "keys", &doc["keys"], name);
    let local: Arc<dyn KeySource> =
        Arc::new(LocalAuthProvider::new(pem("a")?, pem("b")?).with_service_name(service));
    let config = CompositeConfig {
        audiences: Some(vec![service.to_owned()]),
        ..Default::default()
    };
    let provider = CompositeProvider::new(vec![local], config);
    for case in cases(FILE, auth, "cases")? {
        let id = id_of(FILE, "authenticate", case)?;
        let Some(headers) = case["headers"].as_object() else {
            return bad(FILE, id, "`headers` is not an object");
        };
        let mut pairs = Vec::new();
        for (k, v) in headers {
            match v.as_str() {
                Some(v) => pairs.push((k.clone(), v.to_owned())),
                None => return bad(FILE, id, format!("header {k} is not a string")),
            }
        }
        let Some(bypass) = case["bypass_auth"].as_bool() else {
            return bad(FILE, id, "`bypass_auth` is not a boolean");
        };
        let observed = match authenticate(pairs, Some(&provider), bypass, Some(service)) {
            Ok(o) => json!({
                "authenticated": o.user.authenticated,
                "is_debug": o.user.is_debug,
                "global_user_id": o.user.global_user_id,
                "error": o.error,
                "claims": o.user.claims.as_deref().map(claims_fields),
            }),
            Err(e) => json!({"raised": code(&e)}),
        };
        out.insert(format!("{FILE}#authenticate#{id}"), observed);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// fuzz-regressions.json (Rust only: the invariant checks are the fuzz targets' Rust code)

fn run_fuzz(dir: &Path, out: &mut Map<String, Value>) -> Run<()> {
    const FILE: &str = "fuzz-regressions.json";
    let doc = read(dir, FILE)?;
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut result = Ok(());
    for case in cases(FILE, &doc, "cases")? {
        let id = id_of(FILE, "cases", case)?;
        let target = string(FILE, id, case, "target")?;
        let input = match (case["input"].as_str(), case["input_base64"].as_str()) {
            (Some(text), None) => text.as_bytes().to_vec(),
            (None, Some(b64)) => match STANDARD.decode(b64) {
                Ok(bytes) => bytes,
                Err(e) => {
                    result = bad(FILE, id, format!("input_base64: {e}"));
                    break;
                }
            },
            _ => {
                result = bad(FILE, id, "exactly one of `input` / `input_base64`");
                break;
            }
        };
        let outcome = std::panic::catch_unwind(|| checks::check(target, &input));
        let observed = match outcome {
            Ok(()) => json!({"check": "passed"}),
            Err(p) => {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                json!({"check": "failed", "panic": msg})
            }
        };
        out.insert(format!("{FILE}#cases#{id}"), observed);
    }
    std::panic::set_hook(hook);
    result
}

// ---------------------------------------------------------------------------------------------
// arguments.json

/// A vector value as the caller's value: `{"$float": text}` for what JSON cannot hold.
fn vector_arg(v: &Value) -> Arg {
    match v {
        Value::Null => Arg::Null,
        Value::Bool(b) => Arg::Bool(*b),
        Value::Number(n) => n
            .as_i64()
            .map_or_else(|| Arg::Float(n.as_f64().unwrap_or(f64::NAN)), Arg::Int),
        Value::String(s) => Arg::Str(s.clone()),
        Value::Array(items) => Arg::List(items.iter().map(vector_arg).collect()),
        Value::Object(m) => match m.get("$float").and_then(Value::as_str) {
            Some(text) => Arg::Float(text.parse().unwrap_or(f64::NAN)),
            None => Arg::Other,
        },
    }
}

fn run_arguments(dir: &Path, out: &mut Map<String, Value>) -> Run<()> {
    const FILE: &str = "arguments.json";
    let doc = read(dir, FILE)?;
    for case in cases(FILE, &doc, "cases")? {
        let id = id_of(FILE, "cases", case)?;
        let Some(given) = case["options"].as_object() else {
            return bad(FILE, id, "`options` must be an object");
        };
        let args = Args::from_pairs(given.iter().map(|(k, v)| (k.clone(), vector_arg(v))));
        let result = match string(FILE, id, case, "op")? {
            "composite" => options::composite_config(&args).map(drop),
            "oidc" => options::http_config(&args).map(drop),
            "verify" => {
                let mut args = args;
                args.set("audiences", Arg::Str("gitlab-ai-gateway".into()));
                options::validation(&args).map(drop)
            }
            op => return bad(FILE, id, format!("unknown op {op}")),
        };
        let observed = match result {
            Ok(()) => json!({"ok": true}),
            Err(e) => json!({"error": e.code().as_str(), "message": e.message()}),
        };
        out.insert(format!("{FILE}#cases#{id}"), observed);
    }
    Ok(())
}

fn main() -> ExitCode {
    let Some(repo) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: vectors_run <repo root>");
        return ExitCode::from(2);
    };
    let dir = repo.join("tests/vectors");
    let mut results = Map::new();
    let run = run_catalog(&dir, &mut results)
        .and_then(|()| run_tokens(&dir, &mut results))
        .and_then(|()| run_fuzz(&dir, &mut results))
        .and_then(|()| run_arguments(&dir, &mut results));
    if let Err(Bad(msg)) = run {
        eprintln!("vectors_run (rust): {msg}");
        return ExitCode::from(2);
    }
    let doc = json!({"language": "rust", "results": results});
    println!(
        "{}",
        serde_json::to_string_pretty(&doc).expect("JSON of JSON values")
    );
    ExitCode::SUCCESS
}
