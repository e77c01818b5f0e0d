"""tests/vectors/arguments.json: every bad option value is refused with the core's code and
message (never a panic or a crash), every good one accepted; the calls are those of the `make
vectors` runner (tests/vectors/run_python.py), loaded from it."""

from __future__ import annotations

import importlib.util
import json
import pathlib
from typing import Any, Dict

import pytest

import gitlab_cloud_connector as gcc

REPO = pathlib.Path(__file__).resolve().parents[2]
V = json.loads((REPO / "tests" / "vectors" / "arguments.json").read_text())
_spec = importlib.util.spec_from_file_location("run_python", REPO / "tests" / "vectors" / "run_python.py")
assert _spec is not None and _spec.loader is not None
runner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runner)


@pytest.mark.parametrize("case", V["cases"], ids=[c["id"] for c in V["cases"]])
def test_argument_vector(case: Dict[str, Any]) -> None:
    got = runner.argument_case(case)
    if "expect_error" in case:
        assert got == {"error": case["expect_error"]["code"], "message": case["expect_error"]["message"]}
    else:
        assert got == {"ok": True}


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e300, -1.0, 10**400])
def test_public_constructors_raise_the_typed_error_for_bad_numbers(value: Any) -> None:
    # A panic would surface as pyo3's PanicException, which is not an Exception subclass.
    with pytest.raises(gcc.CloudConnectorError) as info:
        gcc.CompositeProvider([], None, expiry_seconds=value)
    assert info.value.code == "invalid_argument" and "expiry_seconds" not in info.value.message
    assert info.value.message.startswith("ttl_seconds must be a number of seconds from 1 to 31536000")
    with pytest.raises(gcc.CloudConnectorError, match="unknown_kid_cooldown_seconds must be"):
        gcc.CompositeProvider([], None, unknown_kid_cooldown_seconds=value)
    with pytest.raises(gcc.CloudConnectorError, match="timeout_seconds must be"):
        gcc.GitLabOidcProvider(None, {"Gitlab": "http://127.0.0.1:9"}, timeout_seconds=value)


def test_expiry_seconds_keeps_its_default_when_unset() -> None:
    assert gcc.CompositeProvider([], None).expiry_seconds == 86400
    assert gcc.CompositeProvider([], None, expiry_seconds=60).expiry_seconds == 60
