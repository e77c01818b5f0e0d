"""data_model: PY-DM-01, the record objects, directories, overrides, entitlements, legacy."""

from __future__ import annotations

import datetime as dt
import pathlib
from typing import Callable, Dict

import pytest
from gitlab_cloud_connector import (
    CatalogInvalidError,
    CatalogNotFoundError,
    CloudConnectorError,
    InvalidArgumentError,
    InvalidOverrideError,
    InvalidRealmError,
    data_model,
)
from gitlab_cloud_connector.data_model import Catalog, load_catalog

WriteCatalog = Callable[[Dict[str, str]], pathlib.Path]

BASE = {
    "add_ons/duo_pro.yml": "name: duo_pro\ndescription: Duo Pro.\n",
    "backend_services/be.yml": "name: be\ndescription: BE.\njwt_aud: be-aud\n",
    "unit_primitives/solo.yml": "name: solo\ndescription: Solo.\ngroup: g\nfeature_category: f\n"
    "cut_off_date: 2024-10-17T00:00:00+00:00\n"
    "backend_services: [be]\nadd_ons: [duo_pro]\nlicense_types: []\n",
}


def test_py_dm_01_dws_scopes_from_backend_services() -> None:
    dws = {up.name for up in load_catalog().unit_primitives if "duo_workflow_service" in up.backend_services}
    # What the Duo Workflow Service's own tests expect in the scopes it mints (package 3.27).
    assert {"duo_agent_platform", "duo_chat", "include_file_context", "duo_workflow_execute_workflow"} <= dws
    assert "complete_code" not in dws


def test_load_catalog_is_memoised_and_has_every_record_kind() -> None:
    c = load_catalog()
    assert load_catalog() is c
    assert c.source == "embedded"
    assert {len(c.add_ons), len(c.license_types)} >= {2, 5}
    chat = c.unit_primitive("duo_chat")
    assert chat is not None
    assert chat.add_ons == ("duo_enterprise", "duo_pro")
    assert chat.cut_off_date == dt.datetime(2024, 10, 17, tzinfo=dt.timezone.utc)
    assert chat.min_gitlab_version == "16.9" and chat.min_gitlab_version_for_free_access == "16.8"
    assert c.unit_primitive("analyze_ci_job_failure") is c.unit_primitive("troubleshoot_job")
    with pytest.raises(AttributeError):
        chat.name = "x"  # type: ignore[misc]
    svc = next(s for s in c.services if s.name == "duo_chat")
    assert svc.gitlab_realm == ("gitlab-com", "self-managed") and svc.basic_unit_primitive == "duo_chat"


def test_a_directory_loads_and_a_bad_one_lists_every_problem(write_catalog: WriteCatalog) -> None:
    c = Catalog.load_dir(write_catalog(BASE))
    assert [u.name for u in c.unit_primitives] == ["solo"]
    bad = dict(BASE)
    bad["unit_primitives/solo.yml"] = (
        BASE["unit_primitives/solo.yml"].replace("[duo_pro]", "[ghost]") + "milestone: 17.10\n"
    )
    root = write_catalog(bad)
    with pytest.raises(CatalogInvalidError) as info:
        Catalog.load_dir(root)
    assert info.value.code == "catalog_invalid"
    kinds = sorted((p["kind"], p["field"]) for p in info.value.problems)
    assert kinds == [("dangling_reference", "add_ons"), ("wrong_type", "milestone")]
    assert all(
        p["file"].endswith("unit_primitives/solo.yml") and p["record"] == "solo" for p in info.value.problems
    )
    assert Catalog.validate_dir(root) == info.value.problems


def test_a_missing_directory(tmp_path: pathlib.Path) -> None:
    with pytest.raises(CatalogNotFoundError) as info:
        Catalog.load_dir(tmp_path / "nope")
    assert isinstance(info.value, FileNotFoundError) and info.value.code == "catalog_not_found"


def test_overrides_and_their_errors(write_catalog: WriteCatalog) -> None:
    root = write_catalog(BASE)
    c = Catalog.load_dir(root, {"unit_primitives": {"solo": {"cut_off_date": "2030-01-01T00:00:00+00:00"}}})
    assert c.unit_primitive("solo").cut_off_date.year == 2030  # type: ignore[union-attr]
    with pytest.raises(InvalidOverrideError, match="unknown record kind 'widgets'"):
        Catalog.load_dir(root, {"widgets": {}})
    with pytest.raises(CatalogInvalidError, match="override configuration"):
        Catalog.embedded({"unit_primitives": {"duo_chat": {"min_gitlab_version": 17.1}}})


def test_from_env(write_catalog: WriteCatalog, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUD_CONNECTOR_CONFIG_DIR", str(write_catalog(BASE)))
    assert [u.name for u in Catalog.from_env().unit_primitives] == ["solo"]
    monkeypatch.delenv("CLOUD_CONNECTOR_CONFIG_DIR")
    assert Catalog.from_env().source == "embedded"
    # load_catalog never reads the environment.
    monkeypatch.setenv("CLOUD_CONNECTOR_CONFIG_DIR", "/nope")
    assert load_catalog().source == "embedded"


def test_entitlements_take_datetimes_and_strings() -> None:
    c = load_catalog()
    at = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    grant = c.entitlements(["code_suggestions"], at=at)
    assert "duo_chat" in grant.scopes and "ask_build" not in grant.scopes
    assert "gitlab-ai-gateway" in grant.audiences
    assert c.entitlements(["duo_pro"], at="2026-01-01T00:00:00Z") == grant
    with pytest.raises(InvalidArgumentError, match="naive datetime"):
        c.entitlements([], at=dt.datetime(2026, 1, 1))
    with pytest.raises(InvalidArgumentError, match="invalid GitLab version"):
        c.entitlements([], gitlab_version="seventeen")
    with pytest.raises(InvalidArgumentError) as info:
        c.entitlements([], license_type="gold")
    assert isinstance(info.value, ValueError) and isinstance(info.value, CloudConnectorError)


def test_legacy_generator() -> None:
    out = load_catalog().available_services("gitlab-com")
    assert list(out) == ["services"]
    assert out["services"]["code_suggestions"]["cut_off_date"] == "2024-02-15 00:00:00 UTC"
    assert list(out["services"]) == sorted(out["services"])
    # Each entry's keys in the gem's order (issue 13), as the Ruby generator gives them.
    order = [
        "backend",
        "cut_off_date",
        "min_gitlab_version",
        "min_gitlab_version_for_free_access",
        "bundled_with",
        "license_types",
    ]
    for entry in out["services"].values():
        assert list(entry) == [k for k in order if k in entry]
    assert list(out["services"]["code_suggestions"])[:2] == ["backend", "cut_off_date"]
    with pytest.raises(InvalidRealmError) as info:
        load_catalog().available_services("saas")
    assert str(info.value) == "Wrong gitlab_realm. Please use one of the following: gitlab-com, self-managed"


def test_filter() -> None:
    names = [u.name for u in load_catalog().filter_unit_primitives(backend_service="duo_workflow_service")]
    assert "duo_workflow_execute_workflow" in names
    with pytest.raises(ValueError, match="access must be"):
        load_catalog().filter_unit_primitives(access="cheap")
    assert data_model.UnitPrimitive.__dataclass_fields__["add_ons"].type in ("Tuple[str, ...]",)
