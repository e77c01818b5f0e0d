"""Quotas beside ``authenticate``: the core's engine judged per instance, with the sidecar's
headers, and quota files with mistakes refused with every problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitlab_cloud_connector import (
    CloudConnectorUser,
    QuotaInvalidError,
    Quotas,
    UserClaims,
    data_model,
)

# 60 a minute per instance, 3 at once.
CHAT = (
    "limits: [{name: chat_per_instance, per: instance, unit_primitives: [duo_chat],"
    " requests: 60, period: 1m, burst: 3}]"
)


def user(instance: str) -> CloudConnectorUser:
    return CloudConnectorUser(
        True,
        global_user_id=f"user-{instance}",
        claims=UserClaims(gitlab_instance_id=instance, gitlab_realm="saas", scopes=["duo_chat"]),
    )


def test_a_burst_is_admitted_then_denied_with_the_headers_per_instance() -> None:
    quotas = Quotas.parse(CHAT)
    assert quotas.limit_names == ["chat_per_instance"]
    first = quotas.check(user("a"), "duo_chat")
    assert first.allowed and first.retry_after == 0
    assert first.headers == {
        "RateLimit-Policy": '"chat_per_instance";q=60;w=60',
        "RateLimit": '"chat_per_instance";r=2;t=1',
    }
    assert [quotas.check(user("a"), "duo_chat").allowed for _ in range(3)] == [True, True, False]
    denied = quotas.check(user("a"), "duo_chat")
    assert not denied.allowed
    assert denied.limit == "chat_per_instance"
    assert 0 < denied.retry_after <= 1
    assert denied.headers["Retry-After"] == "1"
    assert quotas.check(user("b"), "duo_chat").allowed
    # No limit covers this unit primitive, and a user without claims has no instance.
    assert quotas.check(user("a"), "complete_code").headers == {}
    assert all(quotas.check(CloudConnectorUser(False), "duo_chat").allowed for _ in range(10))


def test_quota_files_with_mistakes_are_refused_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "quotas.yml"
    path.write_text("limits:\n  - {name: chat, per: org, unit_primitives: [nope], requests: 0, period: 0s}\n")
    with pytest.raises(QuotaInvalidError) as info:
        Quotas.load(path)
    assert info.value.code == "quota_invalid"
    fields = sorted(p["field"] for p in info.value.problems)
    assert fields == ["per", "period", "requests", "unit_primitives"]
    assert all(p["file"] == str(path) and p["record"] == "chat" for p in info.value.problems)
    assert isinstance(info.value, ValueError)


def test_a_directory_catalog_checks_the_names() -> None:
    catalog = data_model.Catalog.embedded()
    assert Quotas.parse(CHAT, catalog=catalog).limit_names == ["chat_per_instance"]
