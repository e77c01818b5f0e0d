"""Quotas shared through a real ``redis-server`` (Debian's, started on a free port of 127.0.0.1):
two gateway replicas share one quota exactly, another instance is unaffected, a Redis that goes
away is answered by the failure policy (open admits, closed denies for a second) and the
counters are used again when it is back; a Redis that never answers is timed out."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from typing import Iterator, List

import pytest
from gitlab_cloud_connector import (
    CloudConnectorUser,
    InvalidArgumentError,
    Quotas,
    QuotaStoreError,
    UserClaims,
)

# 10 an hour per instance: nothing refills during a test.
CHAT = (
    "limits: [{name: chat_per_instance, per: instance, unit_primitives: [duo_chat],"
    " requests: 10, period: 1h}]"
)

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server (scripts/install-deps.sh installs it)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(7) == b"+PONG\r\n"
    except OSError:
        return False


NO_PERSISTENCE = ["--save", "", "--appendonly", "no"]


class Redis:
    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), *NO_PERSISTENCE],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not ping(self.port):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def redis() -> Iterator[Redis]:
    server = Redis(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def user(instance: str) -> CloudConnectorUser:
    return CloudConnectorUser(
        True,
        global_user_id=f"user-{instance}",
        claims=UserClaims(gitlab_instance_id=instance, gitlab_realm="saas", scopes=["duo_chat"]),
    )


def test_two_replicas_share_one_quota_exactly_and_other_instances_are_unaffected(redis: Redis) -> None:
    replicas = [Quotas.parse(CHAT, redis_url=redis.url) for _ in range(2)]
    verdicts: List[bool] = []
    for i in range(30):
        decision = replicas[i % 2].check(user("inst-a"), "duo_chat")
        assert decision.store_error is None
        verdicts.append(decision.allowed)
    assert verdicts.count(True) == 10
    assert verdicts[:10] == [True] * 10, "the burst is the first ten, whichever replica took them"
    denied = replicas[0].check(user("inst-a"), "duo_chat")
    assert not denied.allowed and denied.limit == "chat_per_instance"
    assert denied.headers["Retry-After"] == str(int(denied.retry_after) + (denied.retry_after % 1 > 0))
    assert denied.headers["RateLimit-Policy"] == '"chat_per_instance";q=10;w=3600'
    other = replicas[1].check(user("inst-b"), "duo_chat")
    assert other.allowed and other.headers["RateLimit"].startswith('"chat_per_instance";r=9;')
    # A replica keeping its counters in memory does not see the shared ones.
    assert Quotas.parse(CHAT).check(user("inst-a"), "duo_chat").allowed


@pytest.mark.parametrize("policy", ["open", "closed"])
def test_a_redis_that_goes_away_follows_the_policy_and_is_used_again(redis: Redis, policy: str) -> None:
    quotas = Quotas.parse(CHAT, redis_url=redis.url, redis_failure=policy)
    first = quotas.check(user("inst-a"), "duo_chat")
    assert first.headers["RateLimit"].startswith('"chat_per_instance";r=9;')
    redis.stop()
    for _ in range(3):
        started = time.monotonic()
        decision = quotas.check(user("inst-a"), "duo_chat")
        assert time.monotonic() - started < 2
        assert isinstance(decision.store_error, QuotaStoreError)
        assert decision.store_error.code == "quota_store_failed"
        assert str(decision.store_error).startswith("redis ")
        if policy == "open":
            assert decision.allowed and decision.headers == {} and decision.retry_after == 0
        else:
            assert not decision.allowed
            assert decision.headers == {"Retry-After": "1"} and decision.retry_after == 1
    redis.start()  # empty: the counters start again
    deadline = time.monotonic() + 5
    while (decision := quotas.check(user("inst-a"), "duo_chat")).store_error is not None:
        assert time.monotonic() < deadline, "the store did not recover"
        time.sleep(0.05)
    assert decision.allowed and decision.headers["RateLimit"].startswith('"chat_per_instance";r=9;')


def test_a_redis_that_never_answers_is_timed_out() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}"
        quotas = Quotas.parse(CHAT, redis_url=url, redis_timeout=0.2, redis_failure="closed")
        started = time.monotonic()
        decision = quotas.check(user("inst-a"), "duo_chat")
        assert time.monotonic() - started < 2
        assert not decision.allowed and decision.store_error is not None


def test_bad_store_options_raise_the_typed_error_naming_the_option() -> None:
    url = "redis://h"
    cases = [
        (
            {"redis_url": url, "redis_failure": "maybe"},
            'redis_failure must be "open" or "closed"; got "maybe"',
        ),
        ({"redis_url": url, "redis_timeout": float("nan")}, "redis_timeout must be a number of seconds"),
        ({"redis_url": url, "redis_connections": 0}, "redis_connections must be a whole number"),
        ({"redis_timeout": 1.0}, "redis_timeout applies to a Redis store; set redis_url too"),
        ({"redis_url": "http://h"}, 'redis_url "http://h"'),
    ]
    for options, message in cases:
        with pytest.raises(InvalidArgumentError) as info:
            Quotas.parse(CHAT, **options)  # type: ignore[arg-type]
        assert info.value.code == "invalid_argument"
        assert message in str(info.value), (options, str(info.value))
