#!/usr/bin/env python3
"""Writes tests/vectors/catalog.json: catalog cases shared by every language's test suite.

Every expected value below is written by hand from the specs (ruby-api.md 2.4, 4 and 8.4), never
taken from our implementation's output: the vectors are what the implementations are checked
against. Run `python3 tests/vectors/make_catalog_vectors.py` after editing; `make test` regenerates it
into a temporary file and fails if the committed catalog.json differs.

Case format (see tests/vectors/README.md):
  {"id", "catalog": "embedded" | <name in "catalogs">, "op", ...inputs, "expect" | "expect_error"}
"""
import json
import pathlib

AI = "https://ai.gitlab.com"
OTHER = "other-aud"


def up(name, body):
    return (f"unit_primitives/{name}.yml",
            f"name: {name}\ndescription: {name}.\ngroup: group::test\nfeature_category: testing\n{body}")


# The TokenIssuer spec matrix (ee/spec/lib/cloud_connector/tokens/token_issuer_spec.rb) with
# add-on 1 = duo_pro and add-on 2 = duo_enterprise, plus a licence, versions, an alias and a
# self-managed-only service.
MATRIX = dict([
    ("add_ons/duo_enterprise.yml", "name: duo_enterprise\ndescription: Duo Enterprise.\n"),
    ("add_ons/duo_pro.yml", "name: duo_pro\ndescription: Duo Pro.\n"),
    ("backend_services/ai_backend.yml", f"name: ai_backend\ndescription: AI.\njwt_aud: {AI}\n"),
    ("backend_services/other_backend.yml", f"name: other_backend\ndescription: Other.\njwt_aud: {OTHER}\n"),
    ("license_types/premium.yml", "name: premium\ndescription: Premium.\n"),
    ("license_types/ultimate.yml", "name: ultimate\ndescription: Ultimate.\n"),
    up("always_free", "backend_services: [ai_backend]\nadd_ons: []\nlicense_types: []\n"),
    up("free_until_2099", "cut_off_date: 2099-01-01T00:00:00+00:00\nmin_gitlab_version_for_free_access: '17.0'\n"
                          "backend_services: [ai_backend]\nadd_ons: [duo_pro]\nlicense_types: []\n"),
    up("paid_both", "cut_off_date: 2024-01-01T00:00:00+00:00\nmin_gitlab_version: '17.5'\n"
                    "backend_services: [ai_backend]\nadd_ons: [duo_pro, duo_enterprise]\nlicense_types: []\n"),
    up("paid_pro_only", "cut_off_date: 2024-01-01T00:00:00+00:00\nalias_names: [pro_feature]\n"
                        "backend_services: [other_backend, ai_backend]\nadd_ons: [duo_pro]\nlicense_types: [ultimate]\n"),
    ("services/bundle.yml", "name: bundle\ndescription: Bundle.\nunit_primitives: [paid_pro_only, paid_both]\n"
                            "gitlab_realm: [self-managed]\n"),
])

NOTHING_FREE = dict([
    ("add_ons/duo_pro.yml", "name: duo_pro\ndescription: Duo Pro.\n"),
    ("backend_services/ai_backend.yml", f"name: ai_backend\ndescription: AI.\njwt_aud: {AI}\n"),
    up("paid", "cut_off_date: 2024-01-01T00:00:00+00:00\nbackend_services: [ai_backend]\nadd_ons: [duo_pro]\nlicense_types: []\n"),
])

TINY_UP = ("name: chat\ndescription: Chat.\ngroup: group::test\nfeature_category: testing\n"
           "min_gitlab_version: '16.9'\nbackend_services: [ai_backend]\nadd_ons: [duo_pro]\nlicense_types: []\n")
TINY = {
    "add_ons/duo_pro.yml": "name: duo_pro\ndescription: Duo Pro.\n",
    "backend_services/ai_backend.yml": f"name: ai_backend\ndescription: AI.\njwt_aud: {AI}\n",
    "unit_primitives/chat.yml": TINY_UP,
}


def tiny(**changes):
    files = dict(TINY)
    for path, text in changes.items():
        path = path.replace("__", "/") + ".yml"
        if text is None:
            files.pop(path)
        else:
            files[path] = text
    return {"files": files}


catalogs = {
    "matrix": {"files": MATRIX},
    "nothing_free": {"files": NOTHING_FREE},
    "bad_unquoted_version": tiny(unit_primitives__chat=TINY_UP.replace("'16.9'", "16.10")),
    "bad_dangling_add_on": tiny(unit_primitives__chat=TINY_UP.replace("[duo_pro]", "[duo_pro, duo_ultra]")),
    "bad_empty_file": tiny(add_ons__duo_pro=""),
    "bad_unknown_field": tiny(unit_primitives__chat=TINY_UP + "colour: blue\n"),
    "bad_missing_field": tiny(unit_primitives__chat=TINY_UP.replace("group: group::test\n", "")),
    "bad_yaml": tiny(unit_primitives__chat="name: chat\ndescription: [\n"),
    "bad_duplicate_audience": tiny(backend_services__twin=f"name: twin\ndescription: Twin.\njwt_aud: {AI}\n"),
    "bad_file_name": tiny(add_ons__pro="name: duo_pro\ndescription: Copy.\n"),
    "bad_bare_date": tiny(unit_primitives__chat=TINY_UP + "cut_off_date: 2024-10-17\n"),
    "offset_cut_off": tiny(unit_primitives__chat=TINY_UP + "cut_off_date: 2024-10-17T02:00:00+02:00\n"),
}

AT = "2026-01-01T00:00:00Z"
cases = []


def case(id, catalog, op, expect=None, error=None, **inputs):
    c = {"id": id, "catalog": catalog, "op": op, **inputs}
    if error is not None:
        c["expect_error"] = error
    else:
        c["expect"] = expect
    cases.append(c)


# --- lookups (find_by_name: name or alias; None when absent) -------------------------------
for kind, name, want in [
    ("unit_primitives", "paid_pro_only", "paid_pro_only"),
    ("unit_primitives", "pro_feature", "paid_pro_only"),  # alias
    ("unit_primitives", "nope", None),
    ("add_ons", "duo_pro", "duo_pro"),
    ("add_ons", "code_suggestions", None),  # lookups do not rename; only entitlements do
    ("backend_services", "other_backend", "other_backend"),
    ("license_types", "ultimate", "ultimate"),
    ("services", "bundle", "bundle"),
    ("services", "paid_both", None),
]:
    case(f"lookup-{kind}-{name}", "matrix", "lookup", want, kind=kind, name=name)
for kind, name, want in [
    ("unit_primitives", "duo_chat", "duo_chat"),
    ("unit_primitives", "analyze_ci_job_failure", "troubleshoot_job"),
    ("unit_primitives", "summarize_submitted_review", "summarize_review"),
    ("unit_primitives", "code_suggestions", None),
    ("backend_services", "ai_gateway", "ai_gateway"),
    ("services", "self_hosted_models", "self_hosted_models"),
]:
    case(f"embedded-lookup-{kind}-{name}", "embedded", "lookup", want, kind=kind, name=name)

# --- all, in file-name order ----------------------------------------------------------------
case("all-unit-primitives", "matrix", "all_names",
     ["always_free", "free_until_2099", "paid_both", "paid_pro_only"], kind="unit_primitives")
case("all-backend-services", "matrix", "all_names", ["ai_backend", "other_backend"], kind="backend_services")
case("all-add-ons", "matrix", "all_names", ["duo_enterprise", "duo_pro"], kind="add_ons")
case("all-services", "matrix", "all_names", ["bundle"], kind="services")
case("embedded-all-add-ons", "embedded", "all_names",
     ["duo_amazon_q", "duo_core", "duo_enterprise", "duo_pro", "duo_self_hosted"], kind="add_ons")
case("embedded-all-license-types", "embedded", "all_names", ["premium", "ultimate"], kind="license_types")

# --- associations: target load order, not list order ------------------------------------------
for kind, name, assoc, want in [
    ("unit_primitives", "paid_pro_only", "backend_services", ["ai_backend", "other_backend"]),
    ("unit_primitives", "paid_both", "add_ons", ["duo_enterprise", "duo_pro"]),
    ("unit_primitives", "paid_pro_only", "license_types", ["ultimate"]),
    ("unit_primitives", "always_free", "add_ons", []),
    ("services", "bundle", "unit_primitives", ["paid_both", "paid_pro_only"]),
]:
    case(f"assoc-{name}-{assoc}", "matrix", "associations", want, kind=kind, name=name, association=assoc)
for kind, name, assoc, want in [
    ("unit_primitives", "duo_chat", "add_ons", ["duo_enterprise", "duo_pro"]),
    ("unit_primitives", "duo_chat", "backend_services", ["ai_gateway", "duo_workflow_service"]),
    ("unit_primitives", "duo_workflow_execute_workflow", "backend_services", ["duo_workflow_service"]),
    ("unit_primitives", "package_licenses", "backend_services", ["package_metadata_service"]),
    ("unit_primitives", "malware_advisories", "license_types", ["ultimate"]),
    ("unit_primitives", "amazon_q_integration", "license_types", ["ultimate"]),
    ("services", "code_suggestions", "unit_primitives", ["complete_code", "generate_code"]),
]:
    case(f"embedded-assoc-{name}-{assoc}", "embedded", "associations", want, kind=kind, name=name, association=assoc)

# --- entitlements: TokenIssuer rule ------------------------------------------------------------
ALL4 = ["always_free", "free_until_2099", "paid_both", "paid_pro_only"]
FREE2 = ["always_free", "free_until_2099"]
for id, req, scopes, auds in [
    ("none", {"add_ons": []}, FREE2, [AI]),
    ("add-on-1", {"add_ons": ["duo_pro"]}, ALL4, [AI, OTHER]),
    ("add-on-2", {"add_ons": ["duo_enterprise"]}, FREE2 + ["paid_both"], [AI]),
    ("both", {"add_ons": ["duo_enterprise", "duo_pro"]}, ALL4, [AI, OTHER]),
    ("rails-code-suggestions-is-duo-pro", {"add_ons": ["code_suggestions"]}, ALL4, [AI, OTHER]),
    ("unknown-add-on-never-matches", {"add_ons": ["product_analytics"]}, FREE2, [AI]),
    ("cut-off-equal-to-now-is-not-free", {"add_ons": [], "at": "2099-01-01T00:00:00Z"}, ["always_free"], [AI]),
    ("a-second-before-cut-off-is-free", {"add_ons": [], "at": "2098-12-31T23:59:59Z"}, FREE2, [AI]),
    ("license-excludes", {"add_ons": ["duo_pro"], "license_type": "premium"}, FREE2 + ["paid_both"], [AI]),
    ("license-includes", {"add_ons": ["duo_pro"], "license_type": "ultimate"}, ALL4, [AI, OTHER]),
    ("version-below-free-access", {"add_ons": [], "gitlab_version": "16.11"}, ["always_free"], [AI]),
    ("version-add-on-still-grants", {"add_ons": ["duo_pro"], "gitlab_version": "16.11"},
     ["always_free", "free_until_2099", "paid_pro_only"], [AI, OTHER]),
    ("version-meets-minimum", {"add_ons": ["duo_enterprise"], "gitlab_version": "17.5.1-ee"}, FREE2 + ["paid_both"], [AI]),
    ("version-below-minimum", {"add_ons": ["duo_enterprise"], "gitlab_version": "17.4"}, FREE2, [AI]),
]:
    req.setdefault("at", AT)
    case(f"entitlements-{id}", "matrix", "entitlements", {"scopes": scopes, "audiences": auds}, request=req)
case("entitlements-nothing-selected", "nothing_free", "entitlements", {"scopes": [], "audiences": []},
     request={"add_ons": [], "at": AT})
case("entitlements-bad-version", "matrix", "entitlements", error={"code": "invalid_argument"},
     request={"add_ons": [], "at": AT, "gitlab_version": "seventeen"})
case("entitlements-unknown-license", "matrix", "entitlements", error={"code": "invalid_argument"},
     request={"add_ons": [], "at": AT, "license_type": "gold"})
case("embedded-entitlements-duo-pro-includes-chat", "embedded", "entitlements_includes",
     {"scopes": ["duo_chat", "complete_code", "security_scans"], "not_scopes": ["ask_build"],
      "audiences": ["gitlab-ai-gateway", "gitlab-security-gateway"]},
     request={"add_ons": ["duo_pro"], "at": AT})
case("embedded-entitlements-none-is-free-only", "embedded", "entitlements_includes",
     {"scopes": ["amazon_q_integration", "duo_workflow_execute_workflow", "observability_all", "security_scans"],
      "not_scopes": ["duo_chat", "complete_code"], "audiences": ["gitlab-observability-backend"]},
     request={"add_ons": [], "at": AT})

# --- legacy generator ---------------------------------------------------------------------------
STANDALONE = {
    "always_free": {"backend": AI, "bundled_with": {"_irrelevant": {"unit_primitives": ["always_free"]}}},
    "free_until_2099": {"backend": AI, "cut_off_date": "2099-01-01 00:00:00 UTC",
                        "min_gitlab_version_for_free_access": "17.0",
                        "bundled_with": {"duo_pro": {"unit_primitives": ["free_until_2099"]}}},
    "paid_both": {"backend": AI, "cut_off_date": "2024-01-01 00:00:00 UTC", "min_gitlab_version": "17.5",
                  "bundled_with": {"duo_enterprise": {"unit_primitives": ["paid_both"]},
                                   "duo_pro": {"unit_primitives": ["paid_both"]}}},
    "paid_pro_only": {"backend": AI, "cut_off_date": "2024-01-01 00:00:00 UTC",
                      "bundled_with": {"duo_pro": {"unit_primitives": ["paid_pro_only"]}},
                      "license_types": ["ultimate"]},
}
BUNDLE = {"backend": AI, "cut_off_date": "2024-01-01 00:00:00 UTC", "min_gitlab_version": "17.5",
          "bundled_with": {"duo_enterprise": {"unit_primitives": ["paid_both"]},
                           "duo_pro": {"unit_primitives": ["paid_both", "paid_pro_only"]}}}
case("legacy-gitlab-com", "matrix", "legacy", {"services": STANDALONE}, realm="gitlab-com")
case("legacy-self-managed", "matrix", "legacy", {"services": {"bundle": BUNDLE, **STANDALONE}}, realm="self-managed")
# The gem's strftime('%Y-%m-%d %H:%M:%S UTC') prints the wall clock in the time's own offset
# (issue 13: consumers parse this text back, so it is the gem's, not converted to UTC).
case("legacy-offset-cut-off-as-the-gem-prints-it", "offset_cut_off", "legacy",
     {"services": {"chat": {"backend": AI, "cut_off_date": "2024-10-17 02:00:00 UTC", "min_gitlab_version": "16.9",
                            "bundled_with": {"duo_pro": {"unit_primitives": ["chat"]}}}}}, realm="gitlab-com")
case("legacy-wrong-realm", "matrix", "legacy", realm="saas", error={
    "code": "invalid_realm", "message": "Wrong gitlab_realm. Please use one of the following: gitlab-com, self-managed"})

# --- loading bad catalogs -------------------------------------------------------------------------
def problem(kind, file, record=None, field=None):
    return {"kind": kind, "file": file, "record": record, "field": field}


UPF = "unit_primitives/chat.yml"
for name, problems in [
    ("bad_unquoted_version", [problem("wrong_type", UPF, "chat", "min_gitlab_version")]),
    ("bad_dangling_add_on", [problem("dangling_reference", UPF, "chat", "add_ons")]),
    ("bad_empty_file", [problem("empty_file", "add_ons/duo_pro.yml"),
                        problem("dangling_reference", UPF, "chat", "add_ons")]),
    ("bad_unknown_field", [problem("unknown_field", UPF, "chat", "colour")]),
    ("bad_missing_field", [problem("missing_field", UPF, "chat", "group")]),
    ("bad_yaml", [problem("yaml_syntax", UPF)]),
    ("bad_duplicate_audience", [problem("duplicate_name", "backend_services/twin.yml", "twin", "jwt_aud")]),
    ("bad_file_name", [problem("file_name_mismatch", "add_ons/pro.yml", "duo_pro", "name"),
                       problem("duplicate_name", "add_ons/pro.yml", "duo_pro", "name")]),
    ("bad_bare_date", [problem("invalid_value", UPF, "chat", "cut_off_date")]),
]:
    case(f"load-{name}", name, "load", error={"code": "catalog_invalid", "problems": problems})
case("load-missing-directory", None, "load", error={"code": "catalog_not_found"})

out = {
    "description": "Catalog vectors shared by every language's suite; generated by make_catalog_vectors.py. "
                   "Problems compare as a set; a problem's file is a suffix of the reported path.",
    "format": 1,
    "catalogs": catalogs,
    "cases": cases,
}
import sys
path = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).with_name("catalog.json")
path.write_text(json.dumps(out, indent=2, sort_keys=False) + "\n")
print(f"wrote {path} with {len(cases)} cases")
