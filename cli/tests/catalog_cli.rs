//! `cloud-connector catalog ...` run as a program, with real files: output and exit status of
//! each command, and each bad input's message.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cloud-connector"));
    c.env_remove("CLOUD_CONNECTOR_CONFIG_DIR");
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run cloud-connector")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

fn repo_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../config")
}

/// A small valid catalog; `broken` swaps in a unit primitive with an unquoted version and a
/// dangling add-on.
fn temp_catalog(broken: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let up = if broken {
        "name: solo\ndescription: x\ngroup: g\nfeature_category: f\nmin_gitlab_version: 17.10\n\
         backend_services: [be]\nadd_ons: [ghost]\nlicense_types: []\n"
    } else {
        "name: solo\ndescription: Solo.\ngroup: group::solo\nfeature_category: f\n\
         backend_services: [be]\nadd_ons: [pro]\nlicense_types: []\n"
    };
    for (rel, text) in [
        ("add_ons/pro.yml", "name: pro\ndescription: Pro.\n"),
        (
            "backend_services/be.yml",
            "name: be\ndescription: BE.\njwt_aud: be-aud\n",
        ),
        ("unit_primitives/solo.yml", up),
    ] {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

#[test]
fn validate_a_good_catalog() {
    let o = run(&["catalog", "validate", repo_config().to_str().expect("utf8")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("the catalog is valid"));
}

#[test]
fn validate_lists_every_problem_and_exits_1() {
    let dir = temp_catalog(true);
    let o = run(&["catalog", "validate", dir.path().to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("unit_primitives/solo.yml: record 'solo', field 'min_gitlab_version'"),
        "{out}"
    );
    assert!(
        out.contains("field 'add_ons'") && out.contains("ghost"),
        "{out}"
    );
    assert!(out.contains("2 problems"), "{out}");

    let o = run(&[
        "catalog",
        "validate",
        dir.path().to_str().expect("utf8"),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["valid"], false);
    let kinds: Vec<&str> = v["problems"]
        .as_array()
        .expect("list")
        .iter()
        .map(|p| p["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["wrong_type", "dangling_reference"]);
    assert_eq!(v["problems"][0]["record"], "solo");
    assert_eq!(v["problems"][0]["field"], "min_gitlab_version");
}

#[test]
fn validate_a_missing_directory_exits_2_with_the_code() {
    let o = run(&["catalog", "validate", "/definitely/not/here"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with(
        "error[catalog_not_found]: catalog directory /definitely/not/here does not exist"
    ));
}

#[test]
fn list_filters_and_prints_json_or_a_table() {
    let o = run(&[
        "catalog",
        "list",
        "--add-on",
        "duo_pro",
        "--backend",
        "ai_gateway",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = json(&o);
    let rows = rows.as_array().expect("list");
    assert!(rows.iter().any(|r| r["name"] == "duo_chat"));
    for r in rows {
        assert!(
            r["add_ons"]
                .as_array()
                .expect("add_ons")
                .contains(&"duo_pro".into()),
            "{r}"
        );
        assert!(
            r["backend_services"]
                .as_array()
                .expect("backends")
                .contains(&"ai_gateway".into()),
            "{r}"
        );
        assert!(r["access"] == "free" || r["access"] == "paid");
    }
    let o = run(&[
        "catalog",
        "list",
        "--group",
        "group::duo chat",
        "--search",
        "ASK_EPIC",
    ]);
    assert!(o.status.success());
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("NAME") && lines[0].contains("GROUP") && lines[0].contains("BACKENDS"),
        "{out}"
    );
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[1].starts_with("ask_epic ")
            && lines[1].contains("paid")
            && lines[1].contains("duo_enterprise"),
        "{out}"
    );
}

#[test]
fn config_selects_another_catalog_and_an_invalid_one_fails_with_its_code() {
    let dir = temp_catalog(false);
    let o = run(&[
        "--config",
        dir.path().to_str().expect("utf8"),
        "catalog",
        "list",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let names: Vec<String> = json(&o)
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["name"].as_str().expect("n").to_owned())
        .collect();
    assert_eq!(names, ["solo"]);
    // The environment variable works too.
    let o = bin()
        .env("CLOUD_CONNECTOR_CONFIG_DIR", dir.path())
        .args(["catalog", "show", "solo", "--json"])
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(json(&o)["audiences"], serde_json::json!(["be-aud"]));

    let bad = temp_catalog(true);
    let o = run(&[
        "--config",
        bad.path().to_str().expect("utf8"),
        "catalog",
        "list",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("error[catalog_invalid]: catalog is invalid: 2 problems"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn show_finds_every_kind_and_aliases() {
    let o = run(&["catalog", "show", "analyze_ci_job_failure", "--json"]);
    assert!(o.status.success());
    let v = json(&o);
    assert_eq!(
        (v["kind"].as_str(), v["name"].as_str()),
        (Some("unit primitive"), Some("troubleshoot_job"))
    );
    let o = run(&["catalog", "show", "ai_gateway", "--json"]);
    let v = json(&o);
    assert_eq!(v["kind"], "backend service");
    assert!(v["unit_primitives"]
        .as_array()
        .expect("list")
        .contains(&"duo_chat".into()));
    for (name, kind) in [
        ("duo_pro", "add-on"),
        ("ultimate", "license type"),
        ("code_suggestions", "service"),
    ] {
        let v = json(&run(&["catalog", "show", name, "--json"]));
        assert_eq!(v["kind"], kind, "{name}");
    }
    let o = run(&["catalog", "show", "duo_chat"]);
    assert!(
        stdout(&o).starts_with("unit primitive duo_chat\n"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("  license_types: (none)"),
        "{}",
        stdout(&o)
    );

    let o = run(&["catalog", "show", "nothing_here"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("error[not_found]: no unit primitive, service, backend, add-on or license type named 'nothing_here'"));
}

#[test]
fn legacy_prints_the_generator_output_and_refuses_a_bad_realm() {
    let o = run(&["catalog", "legacy", "--realm", "gitlab-com"]);
    assert!(o.status.success());
    let v = json(&o);
    assert_eq!(
        v["services"]["code_suggestions"]["cut_off_date"],
        "2024-02-15 00:00:00 UTC"
    );
    assert_eq!(
        v["services"]["self_hosted_models"]["bundled_with"]
            .as_object()
            .expect("map")
            .len(),
        1
    );
    let o = run(&["catalog", "legacy", "--realm", "saas"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).trim_end(),
        "error[invalid_realm]: Wrong gitlab_realm. Please use one of the following: gitlab-com, self-managed"
    );
}

#[test]
fn entitlements_from_add_ons() {
    let o = run(&[
        "catalog",
        "entitlements",
        "--add-on",
        "code_suggestions",
        "--at",
        "2026-01-01T00:00:00Z",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    let scopes = v["scopes"].as_array().expect("scopes");
    assert!(scopes.contains(&"duo_chat".into()) && !scopes.contains(&"ask_build".into()));
    assert!(v["audiences"]
        .as_array()
        .expect("audiences")
        .contains(&"gitlab-ai-gateway".into()));
    // Before every cut-off, everything with a cut-off is still free.
    let v = json(&run(&[
        "catalog",
        "entitlements",
        "--at",
        "2024-01-01T00:00:00Z",
        "--json",
    ]));
    assert!(v["scopes"]
        .as_array()
        .expect("scopes")
        .contains(&"ask_build".into()));

    let o = run(&["catalog", "entitlements", "--at", "tomorrow"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error[invalid_argument]: --at 'tomorrow' is not an RFC 3339 time")
    );
    let o = run(&["catalog", "entitlements", "--gitlab-version", "x.y"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("invalid GitLab version 'x.y'"));
    let o = run(&["catalog", "entitlements", "--add-on", "duo_pro"]);
    assert!(stdout(&o).starts_with("scopes ("), "{}", stdout(&o));
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["catalog", "--help"],
        vec!["catalog", "validate", "--help"],
        vec!["catalog", "list", "--help"],
        vec!["catalog", "show", "--help"],
        vec!["catalog", "legacy", "--help"],
        vec!["catalog", "entitlements", "--help"],
        vec!["keys", "--help"],
        vec!["keys", "generate", "--help"],
        vec!["keys", "rotate", "--help"],
        vec!["keys", "trim", "--help"],
        vec!["keys", "list", "--help"],
        vec!["keys", "jwks", "--help"],
        vec!["token", "--help"],
        vec!["token", "issue", "--help"],
        vec!["token", "verify", "--help"],
        vec!["token", "inspect", "--help"],
        vec!["serve", "--help"],
    ] {
        let o = run(&args);
        assert!(o.status.success(), "{args:?}");
        assert!(stdout(&o).contains("Usage:"), "{args:?}");
    }
    let o = run(&["catalog", "frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_reader_that_goes_away_is_not_a_crash() {
    let mut child = bin()
        .args(["catalog", "list", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}
