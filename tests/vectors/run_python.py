"""The Python runner of `make vectors` (tests/vectors/README.md "make vectors"): every case of
tests/vectors/catalog.json, tokens.json and arguments.json through the installed `gitlab_cloud_connector`
package, printed as one JSON document of observed results for compare.py.

    .venv/bin/python tests/vectors/run_python.py [<repo root>]

The calls are the ones the package's own vector suites make (bindings-python/tests/
test_vectors_*.py). A case the runner cannot read exits 2 naming the file and the case id.
"""

from __future__ import annotations

import functools
import json
import os
import pathlib
import sys
import tempfile
from typing import Any, Callable, Dict, List, NoReturn, Tuple

from gitlab_cloud_connector import (
    CompositeProvider,
    KeySet,
    LocalAuthProvider,
    authenticate,
    jwk_thumbprint,
)
from gitlab_cloud_connector import _native
from gitlab_cloud_connector._native import Catalog as NativeCatalog
from gitlab_cloud_connector.errors import CloudConnectorError

# Each op and the inputs it needs.
CATALOG_OPS: Dict[str, Tuple[str, ...]] = {
    "lookup": ("kind", "name"),
    "all_names": ("kind",),
    "associations": ("kind", "name", "association"),
    "entitlements": ("request",),
    "entitlements_includes": ("request",),
    "legacy": ("realm",),
    "load": (),
}
# Every field of UserClaims.
CLAIM_FIELDS = (
    "gitlab_realm",
    "scopes",
    "subject",
    "issuer",
    "duo_seat_count",
    "gitlab_instance_id",
    "gitlab_instance_uid",
    "extra",
)


class BadVector(Exception):
    """A vector file or case this runner cannot read."""


def bad(file: str, case_id: str, what: str) -> NoReturn:
    raise BadVector(f"{file}#{case_id}: {what}")


def read(vectors: pathlib.Path, name: str) -> Dict[str, Any]:
    path = vectors / name
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise BadVector(f"{path}: {e}") from e
    if not isinstance(doc, dict):
        raise BadVector(f"{path}: not a JSON object")
    return doc


def cases(file: str, doc: Dict[str, Any], section: str) -> List[Dict[str, Any]]:
    found = doc.get(section)
    if not isinstance(found, list):
        bad(file, section, "the section is missing or not a list")
    for case in found:
        if not isinstance(case, dict) or not isinstance(case.get("id"), str):
            bad(file, section, f"a case without a string id: {case!r}")
    return found


def unexpected(e: BaseException) -> Dict[str, Any]:
    """An exception that is not the package's error: reported, so it shows as a difference."""
    return {"unexpected_exception": f"{type(e).__name__}: {e}"}


def observe(on_error: Callable[[CloudConnectorError], Any], call: Callable[..., Any], *args: Any) -> Any:
    """``call(*args)``; the package's errors go through ``on_error``, any other exception is
    reported as observed so it shows as a difference."""
    try:
        return call(*args)
    except CloudConnectorError as e:
        return on_error(e)
    except Exception as e:
        return unexpected(e)


def code_only(e: CloudConnectorError) -> Dict[str, Any]:
    return {"error": e.code}


def raised(e: CloudConnectorError) -> Dict[str, Any]:
    return {"raised": e.code}


# -- catalog.json -------------------------------------------------------------------------------


def scrub(text: Any, tmp: str) -> Any:
    if not isinstance(text, str):
        return text
    for root in {os.path.realpath(tmp), tmp}:
        text = text.replace(root, "$TMP")
    return text


def catalog_error(e: CloudConnectorError, tmp: str) -> Dict[str, Any]:
    problems = [
        {
            "kind": p["kind"],
            "file": scrub(p["file"], tmp),
            "record": p["record"],
            "field": p["field"],
            "message": scrub(p["message"], tmp),
        }
        for p in e.problems
    ]
    return {"error": {"code": e.code, "message": scrub(e.message, tmp), "problems": problems}}


def load_catalog(doc: Dict[str, Any], case: Dict[str, Any], tmp: pathlib.Path) -> NativeCatalog:
    name = case.get("catalog")
    if name == "embedded":
        return NativeCatalog.embedded()
    if name is None:
        return NativeCatalog.load_dir(str(tmp / "missing"))
    root = tmp / name
    for rel, text in doc["catalogs"][name]["files"].items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return NativeCatalog.load_dir(str(root))


def catalog_op(doc: Dict[str, Any], case: Dict[str, Any], tmp: pathlib.Path) -> Any:
    catalog = load_catalog(doc, case, tmp)
    op = case["op"]
    if op == "load":
        return "loaded"
    if op == "lookup":
        return catalog.find(case["kind"], case["name"])
    if op == "all_names":
        return [r["name"] for r in catalog.load_all()[case["kind"]]]
    if op == "associations":
        return catalog.associations(case["kind"], case["name"], case["association"])
    if op in ("entitlements", "entitlements_includes"):
        r = case["request"]
        return catalog.entitlements(r["add_ons"], r.get("at"), r.get("license_type"), r.get("gitlab_version"))
    return catalog.available_services(case["realm"])


def run_catalog(vectors: pathlib.Path, out: Dict[str, Any]) -> None:
    file = "catalog.json"
    doc = read(vectors, file)
    if doc.get("format") != 1:
        bad(file, "format", f"unknown format {doc.get('format')!r}")
    for case in cases(file, doc, "cases"):
        cid = case["id"]
        if case.get("op") not in CATALOG_OPS:
            bad(file, cid, f"unknown op {case.get('op')!r}")
        missing = [k for k in CATALOG_OPS[case["op"]] if k not in case]
        if missing:
            bad(file, cid, f"{case['op']} needs {', '.join(missing)}")
        name = case.get("catalog")
        if name not in (None, "embedded") and name not in doc.get("catalogs", {}):
            bad(file, cid, f"no catalog {name!r} in `catalogs`")
        with tempfile.TemporaryDirectory() as tmp:
            out[f"{file}#cases#{cid}"] = observe(
                functools.partial(catalog_error, tmp=tmp), catalog_op, doc, case, pathlib.Path(tmp)
            )


# -- tokens.json --------------------------------------------------------------------------------


def token_error(e: CloudConnectorError) -> Dict[str, Any]:
    return {"valid": False, "error": e.code, "message": e.message}


def verify_case(doc: Dict[str, Any], keys: KeySet, case: Dict[str, Any]) -> Dict[str, Any]:
    v = dict(doc["default_validation"])
    v.update(case.get("validation") or {})
    claims = keys.verify(
        case["token"],
        v["audiences"],
        algorithms=v["algorithms"],
        issuer=v["issuer"],
        leeway=v["leeway"],
        max_token_size=v["max_token_size"],
        reject_future_iat=v["reject_future_iat"],
        verify_signature=v["verify_signature"],
        now=case["now"],
    )
    return {"valid": True, "claims": claims}


def jwks_case(jwks: Any) -> Dict[str, Any]:
    keys = KeySet.from_jwks(jwks)
    return {"keys": len(keys), "skipped": len(keys.skipped), "kids": keys.kids}


def jwk_case(jwk: Any) -> Dict[str, Any]:
    return {"thumbprint": jwk_thumbprint(jwk)}


def authenticate_case(provider: CompositeProvider, case: Dict[str, Any]) -> Dict[str, Any]:
    user, error = authenticate(case["headers"], provider, bypass_auth=case["bypass_auth"])
    claims = user.claims
    return {
        "authenticated": user.authenticated,
        "is_debug": user.is_debug,
        "global_user_id": user.global_user_id,
        "error": error.error_message if error else None,
        "claims": None if claims is None else {f: getattr(claims, f) for f in CLAIM_FIELDS},
    }


def run_tokens(vectors: pathlib.Path, out: Dict[str, Any]) -> None:
    file = "tokens.json"
    doc = read(vectors, file)
    for name in ("jwks", "default_validation", "keys", "authenticate"):
        if not isinstance(doc.get(name), dict):
            bad(file, name, "missing or not an object")
    try:
        keys = KeySet.from_jwks(doc["jwks"])
    except CloudConnectorError as e:
        bad(file, "jwks", str(e))
    for case in cases(file, doc, "cases"):
        if not isinstance(case.get("token"), str) or not isinstance(case.get("now"), int):
            bad(file, case["id"], "`token` and an integer `now` are required")
        out[f"{file}#cases#{case['id']}"] = observe(token_error, verify_case, doc, keys, case)
    for case in cases(file, doc, "jwks_cases"):
        out[f"{file}#jwks_cases#{case['id']}"] = observe(code_only, jwks_case, case.get("jwks"))
    for case in cases(file, doc, "jwk_cases"):
        out[f"{file}#jwk_cases#{case['id']}"] = observe(code_only, jwk_case, case.get("jwk"))
    auth = doc["authenticate"]
    # The package reads the service name from the environment (its 1.x configuration).
    os.environ["CLOUD_CONNECTOR_SERVICE_NAME"] = auth["service_name"]
    provider = CompositeProvider([LocalAuthProvider(None, doc["keys"]["a"], doc["keys"]["b"])])
    for case in cases(file, auth, "cases"):
        if not isinstance(case.get("headers"), dict) or not isinstance(case.get("bypass_auth"), bool):
            bad(file, case["id"], "`headers` (object) and `bypass_auth` (boolean) are required")
        out[f"{file}#authenticate#{case['id']}"] = observe(raised, authenticate_case, provider, case)


def vector_value(v: Any) -> Any:
    """A vector value as a Python value: ``{"$float": text}`` for what JSON cannot hold."""
    if isinstance(v, dict) and set(v) == {"$float"}:
        return float(v["$float"])
    if isinstance(v, list):
        return [vector_value(i) for i in v]
    return v


def argument_case(case: Dict[str, Any]) -> Dict[str, Any]:
    """One arguments.json case through the native entry points that take the options."""
    options = {k: vector_value(v) for k, v in case["options"].items()}
    try:
        if case["op"] == "composite":
            _native.Composite([], **options)
        elif case["op"] == "oidc":
            _native.KeySource.oidc("vector", "http://127.0.0.1:9", **options)
        elif case["op"] == "verify":
            KeySet.from_jwks({"keys": []}).verify("x", ["gitlab-ai-gateway"], **options)
        else:
            raise BadVector(f"arguments.json#{case['id']}: unknown op {case['op']}")
    except CloudConnectorError as e:
        return {"error": e.code, "message": e.message}
    return {"ok": True}


def run_arguments(vectors: pathlib.Path, out: Dict[str, Any]) -> None:
    file = "arguments.json"
    doc = read(vectors, file)
    for case in cases(file, doc, "cases"):
        out[f"{file}#cases#{case['id']}"] = argument_case(case)


def main(argv: List[str]) -> int:
    repo = pathlib.Path(argv[1]) if len(argv) > 1 else pathlib.Path(__file__).resolve().parents[2]
    vectors = repo / "tests" / "vectors"
    results: Dict[str, Any] = {}
    try:
        run_catalog(vectors, results)
        run_tokens(vectors, results)
        run_arguments(vectors, results)
    except BadVector as e:
        print(f"run_python: {e}", file=sys.stderr)
        return 2
    json.dump({"language": "python", "results": results}, sys.stdout, indent=2, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
