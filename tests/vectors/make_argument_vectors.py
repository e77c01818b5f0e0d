#!/usr/bin/env python3
"""Writes tests/vectors/arguments.json: bad (and a few good) option values for every option the
bindings take, with the code and message every language must answer (issue 15: the same code
and message in Rust, Python, Ruby and Node). The ranges below are the contract; the core's
`options` module implements them.

    python3 tests/vectors/make_argument_vectors.py [OUT]

Values JSON cannot hold are written as {"$float": "NaN" | "Infinity" | "-Infinity" | "1e300"}.
Runners pass option names as their language spells them (Node: camelCase).
"""

from __future__ import annotations

import json
import math
import pathlib
import sys
from typing import Any, Dict, List, Tuple

OUT = pathlib.Path(__file__).with_name("arguments.json")
YEAR = 365 * 86400

# op -> numeric options: (name, unit, min, max, whole)
NUMERIC: Dict[str, List[Tuple[str, str, float, float, bool]]] = {
    "composite": [
        ("ttl_seconds", "seconds", 1, YEAR, False),
        ("retry_after_failure_seconds", "seconds", 0.01, 86400, False),
        ("unknown_kid_cooldown_seconds", "seconds", 0.01, 86400, False),
        ("token_cache_size", "entries", 0, 10_000_000, True),
        ("leeway", "seconds", 0, 86400, True),
        ("max_token_size", "bytes", 1, 1_048_576, True),
    ],
    "oidc": [("timeout_seconds", "seconds", 0.01, 300, False)],
    "verify": [
        ("leeway", "seconds", 0, 86400, True),
        ("max_token_size", "bytes", 1, 1_048_576, True),
        ("now", "seconds", 0, 253_402_300_799, True),
    ],
}


def number_text(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if v != 0 and not (1e-6 <= abs(v) < 1e15):
        mantissa, exp = f"{v:e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{int(exp)}"
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def shown(v: Any) -> str:
    if isinstance(v, dict) and "$float" in v:
        return number_text(float(v["$float"]))
    if v is True or v is False:
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return number_text(float(v))
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "a list"
    return "an object"


def range_text(name: str, unit: str, lo: float, hi: float, whole: bool) -> str:
    kind = "whole number" if whole else "number"
    return f"{name} must be a {kind} of {unit} from {number_text(lo)} to {number_text(hi)}"


def f(text: str) -> Dict[str, str]:
    return {"$float": text}


cases: List[Dict[str, Any]] = []


def bad(op: str, option: str, value: Any, message: str, tag: str) -> None:
    cases.append(
        {
            "id": f"{op}-{option}-{tag}",
            "op": op,
            "options": {option: value},
            "expect_error": {"code": "invalid_argument", "message": message},
        }
    )


def good(op: str, options: Dict[str, Any], tag: str) -> None:
    cases.append({"id": f"{op}-ok-{tag}", "op": op, "options": options, "expect": "ok"})


for op, numeric in NUMERIC.items():
    for name, unit, lo, hi, whole in numeric:
        values: List[Tuple[str, Any]] = [
            ("nan", f("NaN")),
            ("infinity", f("Infinity")),
            ("minus-infinity", f("-Infinity")),
            ("huge", f("1e300")),
            ("negative", -1),
            ("string", "30"),
            ("boolean", True),
            ("list", []),
            ("object", {}),
        ]
        if lo > 0:
            values.append(("zero", 0))
        if whole:
            values.append(("fraction", 1.5))
        for tag, value in values:
            bad(op, name, value, f"{range_text(name, unit, lo, hi, whole)}; got {shown(value)}", tag)

ALGS = "RS256, RS384, RS512, PS256, PS384, PS512, ES256, EdDSA"
for op in ("composite", "verify"):
    bad(op, "algorithms", ["HS256"], f'algorithms: unsupported algorithm "HS256"; supported: {ALGS}', "hs256")
    bad(op, "algorithms", ["none"], f'algorithms: unsupported algorithm "none"; supported: {ALGS}', "none")
    bad(op, "algorithms", ["rs256"], f'algorithms: unsupported algorithm "rs256"; supported: {ALGS}', "lowercase")
    bad(op, "algorithms", [], f"algorithms must name at least one of {ALGS}", "empty")
    bad(op, "algorithms", "RS256", 'algorithms must be a list of algorithm names; got "RS256"', "string")
    bad(op, "algorithms", [256], "algorithms must be a string; got 256", "number-item")
    bad(op, "issuer", 5, "issuer must be a string; got 5", "number")
    bad(op, "reject_future_iat", "no", 'reject_future_iat must be true or false; got "no"', "string")
bad("composite", "audiences", [], "audiences must name at least one audience", "empty")
bad("composite", "audiences", [""], 'audiences must be non-empty strings; got ""', "empty-string")
bad("composite", "audiences", 5, "audiences must be non-empty strings; got 5", "number")
bad("composite", "bypass_signature", 1, "bypass_signature must be true or false; got 1", "number")
bad("verify", "verify_signature", "yes", 'verify_signature must be true or false; got "yes"', "string")
bad("oidc", "ca_bundle", 7, "ca_bundle must be a string; got 7", "number")

COMPOSITE_KNOWN = (
    "ttl_seconds, retry_after_failure_seconds, unknown_kid_cooldown_seconds, token_cache_size, algorithms, "
    "leeway, issuer, max_token_size, reject_future_iat, bypass_signature, audiences"
)
bad(
    "composite",
    "ttl",
    60,
    f'unknown option "ttl" for the composite provider; known options: {COMPOSITE_KNOWN}',
    "unknown",
)
bad(
    "oidc",
    "retries",
    3,
    'unknown option "retries" for an OIDC key source; known options: timeout_seconds, ca_bundle',
    "unknown",
)

good("composite", {}, "defaults")
good("composite", {"ttl_seconds": 60, "token_cache_size": 0, "algorithms": ["RS256", "ES256"]}, "set")
good("composite", {"expiry_seconds": 3600, "unknown_kid_cooldown_seconds": 0.5}, "alias")
good("composite", {"ttl_seconds": None}, "null-is-unset")
good("oidc", {"timeout_seconds": 0.5}, "timeout")

doc = {
    "description": "Option values every binding must accept or refuse with the same code and message "
    "(tests/vectors/README.md). Generated by make_argument_vectors.py.",
    "cases": cases,
}

if __name__ == "__main__":
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {out} with {len(cases)} cases")
