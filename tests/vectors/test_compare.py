"""compare.py on fixtures: it must fail, naming the vector and the languages, when runners
disagree, leave a case out, report an unknown case, or agree with each other but not with the
vector. Run by `make vectors` (pytest in the project's venv)."""

from __future__ import annotations

import io
import json
import pathlib
from typing import Any, Dict, List, Tuple

import compare
import pytest

CATALOG = {
    "format": 1,
    "catalogs": {},
    "cases": [
        {"id": "find", "catalog": "embedded", "op": "lookup", "kind": "add_ons", "name": "x", "expect": "x"},
        {
            "id": "includes",
            "catalog": "embedded",
            "op": "entitlements_includes",
            "request": {"add_ons": [], "at": "2024-01-01T00:00:00Z"},
            "expect": {"scopes": ["a"], "not_scopes": ["z"], "audiences": ["aud"]},
        },
        {
            "id": "broken",
            "catalog": "bad",
            "op": "load",
            "expect_error": {
                "code": "catalog_invalid",
                "problems": [{"kind": "yaml_syntax", "file": "up/a.yml", "record": None, "field": None}],
            },
        },
    ],
}
TOKENS = {
    "cases": [
        {"id": "ok", "token": "t", "now": 1, "expected": {"valid": True}},
        {"id": "expired", "token": "t", "now": 1, "expected": {"valid": False, "error": "token_expired"}},
    ],
    "jwks_cases": [{"id": "empty", "jwks": {"keys": []}, "expected": {"keys": 0, "skipped": 0}}],
    "jwk_cases": [{"id": "bad", "jwk": {}, "expected": {"error": "key_invalid"}}],
    "authenticate": {
        "cases": [
            {
                "id": "forged",
                "headers": {},
                "bypass_auth": False,
                "expected": {
                    "authenticated": False,
                    "is_debug": False,
                    "global_user_id": "u",
                    "error": "Forbidden by auth provider",
                    "claims": "empty",
                },
            }
        ]
    },
}
FUZZ = {"cases": [{"id": "pinned", "target": "catalog_yaml", "input": "x"}]}
ARGUMENTS = {
    "cases": [
        {"id": "fine", "op": "composite", "options": {}, "expect": "ok"},
        {
            "id": "nan",
            "op": "composite",
            "options": {"ttl_seconds": {"$float": "NaN"}},
            "expect_error": {"code": "invalid_argument", "message": "ttl_seconds must be; got NaN"},
        },
    ]
}

# What a correct runner observes for each case above.
GOOD: Dict[str, Any] = {
    "catalog.json#cases#find": "x",
    "catalog.json#cases#includes": {"scopes": ["a", "b"], "audiences": ["aud"]},
    "catalog.json#cases#broken": {
        "error": {
            "code": "catalog_invalid",
            "message": "catalog is invalid: 1 problem",
            "problems": [
                {
                    "kind": "yaml_syntax",
                    "file": "$TMP/bad/up/a.yml",
                    "record": None,
                    "field": None,
                    "message": "m",
                }
            ],
        }
    },
    "tokens.json#cases#ok": {"valid": True, "claims": {"exp": 2}},
    "tokens.json#cases#expired": {"valid": False, "error": "token_expired", "message": "expired"},
    "tokens.json#jwks_cases#empty": {"keys": 0, "skipped": 0, "kids": []},
    "tokens.json#jwk_cases#bad": {"error": "key_invalid"},
    "tokens.json#authenticate#forged": {
        "authenticated": False,
        "is_debug": False,
        "global_user_id": "u",
        "error": "Forbidden by auth provider",
        "claims": {"gitlab_realm": "", "scopes": [], "subject": "", "issuer": ""},
    },
    "arguments.json#cases#fine": {"ok": True},
    "arguments.json#cases#nan": {"error": "invalid_argument", "message": "ttl_seconds must be; got NaN"},
}
RUST_ONLY = {"fuzz-regressions.json#cases#pinned": {"check": "passed"}}


@pytest.fixture
def vectors(tmp_path: pathlib.Path) -> pathlib.Path:
    d = tmp_path / "vectors"
    d.mkdir()
    (d / "catalog.json").write_text(json.dumps(CATALOG))
    (d / "tokens.json").write_text(json.dumps(TOKENS))
    (d / "fuzz-regressions.json").write_text(json.dumps(FUZZ))
    (d / "arguments.json").write_text(json.dumps(ARGUMENTS))
    return d


def run(vectors: pathlib.Path, outputs: Dict[str, Dict[str, Any]]) -> Tuple[int, str]:
    paths: List[str] = []
    for lang, results in outputs.items():
        path = vectors.parent / f"{lang}.json"
        path.write_text(json.dumps({"language": lang, "results": results}))
        paths.append(str(path))
    out = io.StringIO()
    code = compare.main(["--vectors", str(vectors), *paths], out)
    return code, out.getvalue()


def three(**changes: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    outputs = {"rust": {**GOOD, **RUST_ONLY}, "python": dict(GOOD), "ruby": dict(GOOD)}
    for lang, delta in changes.items():
        outputs[lang] = {**outputs[lang], **delta}
    return outputs


def test_agreeing_runners_pass(vectors: pathlib.Path) -> None:
    code, text = run(vectors, three())
    assert code == 0, text
    assert "11 cases, the same result in rust, python, ruby" in text


def test_a_disagreement_names_the_vector_and_groups_the_languages(vectors: pathlib.Path) -> None:
    other = {"valid": False, "error": "invalid_signature", "message": "bad"}
    code, text = run(vectors, three(ruby={"tokens.json#cases#expired": other}))
    assert code == 1
    assert "LANGUAGES DISAGREE (1)" in text
    assert "tokens.json#cases#expired: rust, python | ruby" in text
    assert '    rust, python (matches the vector): {"error":"token_expired"' in text
    assert '    ruby (does not match the vector): {"error":"invalid_signature"' in text
    assert "FAILED" in text


def test_three_different_answers_are_three_groups(vectors: pathlib.Path) -> None:
    key = "catalog.json#cases#find"
    code, text = run(vectors, three(python={key: None}, ruby={key: "y"}))
    assert code == 1
    assert "catalog.json#cases#find: rust | python | ruby" in text


def test_a_difference_the_vector_does_not_look_at_still_fails(vectors: pathlib.Path) -> None:
    # Both match the vector (it only checks the code), but the messages differ.
    other = {"valid": False, "error": "token_expired", "message": "Expired!"}
    code, text = run(vectors, three(python={"tokens.json#cases#expired": other}))
    assert code == 1
    assert "tokens.json#cases#expired: rust, ruby | python" in text


def test_an_unreported_case_is_flagged(vectors: pathlib.Path) -> None:
    outputs = three()
    del outputs["python"]["tokens.json#jwk_cases#bad"]
    code, text = run(vectors, outputs)
    assert code == 1
    assert "tokens.json#jwk_cases#bad: not reported by python" in text
    assert "LANGUAGES DISAGREE" not in text


def test_fuzz_regressions_are_required_from_rust_only(vectors: pathlib.Path) -> None:
    outputs = three()
    del outputs["rust"]["fuzz-regressions.json#cases#pinned"]
    code, text = run(vectors, outputs)
    assert code == 1
    assert "fuzz-regressions.json#cases#pinned: not reported by rust" in text


def test_an_unknown_case_is_flagged(vectors: pathlib.Path) -> None:
    code, text = run(vectors, three(ruby={"tokens.json#cases#renamed": {"valid": True}}))
    assert code == 1
    assert "tokens.json#cases#renamed: reported by ruby, but no vector file has this case" in text


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("catalog.json#cases#find", "y"),
        ("catalog.json#cases#includes", {"scopes": ["a", "z"], "audiences": ["aud"]}),
        ("catalog.json#cases#broken", {"error": {"code": "catalog_invalid", "message": "", "problems": []}}),
        ("tokens.json#cases#ok", {"valid": False, "error": "token_expired"}),
        ("tokens.json#jwks_cases#empty", {"keys": 1, "skipped": 0, "kids": [None]}),
        ("tokens.json#jwk_cases#bad", {"thumbprint": "x"}),
        ("arguments.json#cases#fine", {"error": "invalid_argument", "message": "m"}),
        ("arguments.json#cases#nan", {"error": "invalid_argument", "message": "another message"}),
        (
            "tokens.json#authenticate#forged",
            {**GOOD["tokens.json#authenticate#forged"], "claims": {"scopes": ["a"]}},
        ),
    ],
)
def test_agreement_off_the_vector_is_flagged_separately(vectors: pathlib.Path, key: str, value: Any) -> None:
    code, text = run(vectors, three(rust={key: value}, python={key: value}, ruby={key: value}))
    assert code == 1
    assert "LANGUAGES DISAGREE" not in text
    assert "EVERY LANGUAGE AGREES, BUT NOT WITH THE VECTOR (1)" in text
    assert f"{key}: rust, python, ruby = " in text


def test_unreadable_output_is_an_error(vectors: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = vectors.parent / "broken.json"
    bad.write_text("{")
    assert compare.main(["--vectors", str(vectors), str(bad)], io.StringIO()) == 2
    assert "broken.json" in capsys.readouterr().err


def test_a_required_language_without_output_is_an_error(
    vectors: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = vectors.parent / "rust.json"
    path.write_text(json.dumps({"language": "rust", "results": {}}))
    assert compare.main(["--vectors", str(vectors), "--require", "rust,node", str(path)], io.StringIO()) == 2
    assert "no output from node" in capsys.readouterr().err
