"""PY-ENUM-01..03 and the maps built from the catalog."""

from __future__ import annotations

import enum
import importlib.util
import json
import pathlib
import sys

import gitlab_cloud_connector as gcc
import pytest
import yaml
from gitlab_cloud_connector import (
    FEATURE_CATEGORIES_FOR_PROXY_ENDPOINTS,
    UNIT_PRIMITIVE_AND_DESCRIPTION_MAPPING,
    GitLabFeatureCategory,
    GitLabUnitPrimitive,
)

from .conftest import REPO, SHARED


def facts() -> dict:  # type: ignore[type-arg]
    with open(SHARED / "data" / "catalog-facts.yaml") as f:
        return yaml.safe_load(f)  # type: ignore[no-any-return]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="enum.StrEnum exists from 3.11")
def test_py_enum_01_a_real_str_enum() -> None:
    assert issubclass(GitLabUnitPrimitive, enum.StrEnum)  # type: ignore[attr-defined]
    assert issubclass(GitLabFeatureCategory, enum.StrEnum)  # type: ignore[attr-defined]


def test_py_enum_01_lookup_by_value_and_name_and_plain_string_behaviour() -> None:
    assert GitLabUnitPrimitive("duo_chat") is GitLabUnitPrimitive.DUO_CHAT
    assert GitLabUnitPrimitive["INCLUDE_FILE_CONTEXT"] is GitLabUnitPrimitive("include_file_context")
    with pytest.raises(ValueError):
        GitLabUnitPrimitive("nope")
    assert {GitLabUnitPrimitive.DUO_CHAT: 1}["duo_chat"] == 1
    assert str(GitLabUnitPrimitive.DUO_CHAT) == "duo_chat"
    assert f"Unauthorized to access {GitLabUnitPrimitive.DUO_CHAT}" == "Unauthorized to access duo_chat"
    assert GitLabUnitPrimitive.DUO_CHAT == "duo_chat" and hash(GitLabUnitPrimitive.DUO_CHAT) == hash(
        "duo_chat"
    )
    assert json.dumps([GitLabUnitPrimitive.DUO_CHAT]) == '["duo_chat"]'
    assert "duo_chat" in list(GitLabUnitPrimitive.__members__.values())
    for member in GitLabUnitPrimitive:
        assert member.name == member.value.upper()


def test_py_enum_02_every_member_the_ai_gateway_references() -> None:
    for name in facts()["ai_gateway_referenced_unit_primitives"] + ["include_user_rule_context"]:
        assert GitLabUnitPrimitive(name).value == name
    # 1.2-era names kept as aliases in the catalog are members too.
    assert GitLabUnitPrimitive("analyze_ci_job_failure") == "analyze_ci_job_failure"


def test_py_enum_03_feature_categories() -> None:
    with pytest.raises(ValueError):
        GitLabFeatureCategory("unknown")
    assert GitLabFeatureCategory.DUO_AGENT_PLATFORM.value == "duo_agent_platform"
    for name in facts()["feature_categories_seen"]:
        assert GitLabFeatureCategory(name) == name


def test_maps_come_from_the_catalog() -> None:
    catalog = gcc.data_model.load_catalog()
    assert FEATURE_CATEGORIES_FOR_PROXY_ENDPOINTS[GitLabUnitPrimitive.EXPLAIN_CODE] is GitLabFeatureCategory(
        catalog.unit_primitive("explain_code").feature_category  # type: ignore[union-attr]
    )
    # Indexed with a raw header string, as the AI gateway does.
    assert FEATURE_CATEGORIES_FOR_PROXY_ENDPOINTS["duo_chat"].value == "duo_chat"  # type: ignore[index]
    assert len(FEATURE_CATEGORIES_FOR_PROXY_ENDPOINTS) == len(catalog.unit_primitives)
    assert (
        UNIT_PRIMITIVE_AND_DESCRIPTION_MAPPING[GitLabUnitPrimitive.DUO_CHAT]
        == catalog.unit_primitive("duo_chat").description
    )  # type: ignore[union-attr]


def test_generated_enums_are_up_to_date() -> None:
    tool = REPO / "bindings-python" / "tools" / "gen_enums.py"
    spec = importlib.util.spec_from_file_location("gen_enums", tool)
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    committed = (REPO / "bindings-python" / "python" / "gitlab_cloud_connector" / "_generated.py").read_text()
    assert gen.render(gcc._native) == committed, "run: python bindings-python/tools/gen_enums.py"
    # And the installed copy is the committed one.
    assert pathlib.Path(gcc.__file__).with_name("_generated.py").read_text() == committed
