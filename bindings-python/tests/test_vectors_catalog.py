"""tests/vectors/catalog.json through the Python package: the same results as the Rust core."""

from __future__ import annotations

import pathlib
from typing import Any, Dict

import pytest
from gitlab_cloud_connector import CloudConnectorError
from gitlab_cloud_connector._native import Catalog as NativeCatalog

from .conftest import load_vectors

VECTORS = load_vectors("catalog.json")
assert VECTORS["format"] == 1


def _catalog(name: Any, tmp_path: pathlib.Path) -> NativeCatalog:
    if name == "embedded":
        return NativeCatalog.embedded()
    if name is None:
        return NativeCatalog.load_dir(str(tmp_path / "missing"))
    root = tmp_path / name
    for rel, text in VECTORS["catalogs"][name]["files"].items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return NativeCatalog.load_dir(str(root))


def _run(case: Dict[str, Any], tmp_path: pathlib.Path) -> Any:
    catalog = _catalog(case["catalog"], tmp_path)
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
    if op == "legacy":
        return catalog.available_services(case["realm"])
    raise AssertionError(f"unknown op {op}")


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[c["id"] for c in VECTORS["cases"]])
def test_catalog_vector(case: Dict[str, Any], tmp_path: pathlib.Path) -> None:
    want_error = case.get("expect_error")
    if want_error is not None:
        with pytest.raises(CloudConnectorError) as info:
            _run(case, tmp_path)
        err = info.value
        assert err.code == want_error["code"], str(err)
        if "message" in want_error:
            assert str(err) == want_error["message"]
        if "problems" in want_error:
            got = [(p["kind"], p["file"], p["record"], p["field"]) for p in err.problems]
            assert len(got) == len(want_error["problems"]), got
            for p in want_error["problems"]:
                assert any(
                    k == p["kind"]
                    and f is not None
                    and f.endswith(p["file"])
                    and r == p["record"]
                    and fl == p["field"]
                    for k, f, r, fl in got
                ), (p, got)
        return
    got = _run(case, tmp_path)
    if case["op"] == "entitlements_includes":
        want = case["expect"]
        assert set(want["scopes"]) <= set(got["scopes"])
        assert not set(want["not_scopes"]) & set(got["scopes"])
        assert set(want["audiences"]) <= set(got["audiences"])
    else:
        assert got == case["expect"]
