"""JWKS provider faults through the Python package (issue #8): a real OIDC issuer on 127.0.0.1
(tests/oidc_server.py) goes down, slow, answers 500 or garbage, rotates its keys, and takes an
unknown-kid storm. Throughout, a valid token whose key is already held keeps verifying, and the
number of fetches the issuer sees (or, while it is down, the refreshes the provider reports)
stays within the core's rules: one background refresh when the keys are due, then no retry
before ``retry_after_failure`` (30 s) after a failure; at most one unknown-kid refresh per
cooldown. test_providers_http.py covers a provider down at start, a broken provider beside a
good one, and a slow explicit refresh in another thread; these tests do not repeat those."""

from __future__ import annotations

import functools
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterator, List

import pytest
from gitlab_cloud_connector import CompositeProvider, GitLabOidcProvider

from .keys import KEY_A, KEY_B, KEY_C, SERVICE, pyjwt_token
from .oidc_server import DISCOVERY, JWKS, Issuer, jwk_of

TIMEOUT = 1.0  # the provider's HTTP timeout
TTL = 1  # expiry_seconds: the held keys are due for a background refresh after this


@pytest.fixture(autouse=True)
def service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUD_CONNECTOR_SERVICE_NAME", SERVICE)


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    i = Issuer([jwk_of(KEY_C, "gitlab-1")])
    yield i
    if i.mode != "down":
        i.close()


def provider(issuer: Issuer, cooldown: float, ttl: int) -> CompositeProvider:
    oidc = GitLabOidcProvider(None, {"Gitlab": issuer.url}, timeout_seconds=TIMEOUT)
    return CompositeProvider([oidc], expiry_seconds=ttl, unknown_kid_cooldown_seconds=cooldown)


HELD = pyjwt_token(KEY_C, headers={"kid": "gitlab-1"})


@functools.cache
def held_tokens(n: int, start: int = 0) -> List[str]:
    """Distinct tokens signed with the held key: each is a real signature check, not a cache hit."""
    return [pyjwt_token(KEY_C, headers={"kid": "gitlab-1"}, n=start + i) for i in range(n)]


@functools.cache
def storm_tokens() -> List[str]:
    """1000 tokens naming 50 kids the issuer never published."""
    return [pyjwt_token(KEY_A, headers={"kid": f"unknown-{i % 50}"}, n=i) for i in range(1000)]


@functools.cache
def rotated_tokens(n: int) -> List[str]:
    """Tokens signed with the key the issuer publishes next, as `gitlab-2`."""
    return [pyjwt_token(KEY_B, headers={"kid": "gitlab-2"}, n=i) for i in range(n)]


def set_fault(issuer: Issuer, fault: str) -> None:
    if fault == "down":
        issuer.down()
        issuer.mode = "down"
    elif fault == "slow":
        issuer.mode, issuer.delay = "slow", TIMEOUT * 4  # past the provider's timeout
    else:
        issuer.mode = fault


def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def started(issuer: Issuer, cooldown: float = 30.0, ttl: int = 86400) -> CompositeProvider:
    """A provider holding the issuer's key (one discovery, one JWKS fetch so far)."""
    p = provider(issuer, cooldown, ttl)
    assert p.authenticate(HELD).authenticated
    assert (issuer.hits(DISCOVERY), issuer.hits(JWKS), p.refreshes) == (1, 1, 1)
    return p


FAULTS = ["down", "slow", "status500", "garbage"]


@pytest.mark.parametrize("fault", FAULTS)
def test_held_key_keeps_verifying_when_the_due_refresh_fails(issuer: Issuer, fault: str) -> None:
    tokens = held_tokens(150)
    more = held_tokens(150, start=150)
    p = started(issuer, ttl=TTL)
    set_fault(issuer, fault)
    time.sleep(TTL + 0.1)  # the held keys are now due
    slowest = 0.0
    for t in tokens:
        began = time.monotonic()
        assert p.authenticate(t).authenticated, fault
        slowest = max(slowest, time.monotonic() - began)
    # Verification never waited for the refresh (a slow fetch takes TIMEOUT before it fails).
    assert slowest < TIMEOUT / 2, slowest
    wait_for(lambda: p.refreshes == 2)
    # The last good keys survived the failed refresh, and a failed refresh is retried only after
    # retry_after_failure (30 s), however many tokens arrive meanwhile.
    for t in more:
        assert p.authenticate(t).authenticated, fault
    assert p.authenticate(HELD).authenticated
    assert p.refreshes == 2
    assert [k["kid"] for k in p.jwks()["keys"]] == ["gitlab-1"]
    if fault != "down":
        assert issuer.hits(DISCOVERY) == 2, issuer.requests
        assert issuer.hits(JWKS) == (2 if fault == "slow" else 1), issuer.requests


@pytest.mark.parametrize("fault", ["ok", *FAULTS])
def test_unknown_kid_storm_fetches_at_most_once_per_cooldown(issuer: Issuer, fault: str) -> None:
    storm = storm_tokens()
    held = held_tokens(100)
    p = started(issuer)
    set_fault(issuer, fault)

    def check(i: int) -> bool:
        assert p.authenticate(held[i % len(held)]).authenticated, "held key stopped verifying"
        return p.authenticate(storm[i]).authenticated

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(check, range(len(storm))))
    elapsed = time.monotonic() - began
    assert not any(results)
    assert elapsed < 30, elapsed  # one cooldown (30 s): at most one refresh
    assert p.refreshes <= 2, p.refreshes
    if fault != "down":
        assert issuer.hits(DISCOVERY) <= 2, issuer.requests
        assert issuer.hits(JWKS) <= 2, issuer.requests
    assert p.authenticate(HELD).authenticated


def test_the_cooldown_setting_bounds_refreshes_over_time(issuer: Issuer) -> None:
    cooldown = 0.25
    p = started(issuer, cooldown=cooldown)
    token = pyjwt_token(KEY_A, headers={"kid": "unknown"})
    began = time.monotonic()
    calls = 0
    while time.monotonic() - began < 1.5:
        assert not p.authenticate(token).authenticated
        assert p.authenticate(HELD).authenticated
        calls += 1
    elapsed = time.monotonic() - began
    fetches = issuer.hits(JWKS) - 1
    assert calls > 100
    assert 2 <= fetches <= math.ceil(elapsed / cooldown) + 1, (fetches, elapsed)
    assert p.refreshes == fetches + 1


def test_rotation_new_key_published_then_old_key_retired(issuer: Issuer) -> None:
    ttl = 2
    old = held_tokens(50)
    new = rotated_tokens(500)
    p = started(issuer, ttl=ttl)
    assert not p.authenticate(new[0]).authenticated  # not published yet: one fetch, no key
    assert issuer.hits(JWKS) == 2
    issuer.keys = [jwk_of(KEY_C, "gitlab-1"), jwk_of(KEY_B, "gitlab-2")]
    # Within the cooldown the new kid is not fetched again; the old key keeps verifying.
    assert not p.authenticate(new[1]).authenticated
    assert all(p.authenticate(t).authenticated for t in old)
    assert issuer.hits(JWKS) == 2
    # After the cooldown (30 s, too long for a test) or a refresh, the new key is held; here the
    # keys are due (TTL), so the next request starts a background refresh.
    time.sleep(ttl + 0.1)
    assert p.authenticate(old[0]).authenticated
    wait_for(lambda: p.refreshes == 3)
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(lambda t: p.authenticate(t).authenticated, new + old))
    assert issuer.hits(JWKS) == 3
    # The issuer retires the old key: after the next refresh its tokens are refused (a key the
    # provider no longer publishes is not kept), the new key keeps verifying.
    issuer.keys = [jwk_of(KEY_B, "gitlab-2")]
    time.sleep(ttl + 0.1)
    assert p.authenticate(new[0]).authenticated
    wait_for(lambda: p.refreshes == 4)
    # Also a token verified (and cached) before: the token cache is dropped with the old keys.
    assert not p.authenticate(old[0]).authenticated
    assert not p.authenticate(pyjwt_token(KEY_C, headers={"kid": "gitlab-1"}, n=999)).authenticated
    assert all(p.authenticate(t).authenticated for t in new[:50])


def test_back_up_after_down_and_rotated_meanwhile(issuer: Issuer) -> None:
    rotated = rotated_tokens(1)[0]
    p = started(issuer, cooldown=0.2)
    issuer.down()
    assert not p.authenticate(rotated).authenticated  # refresh fails: connection refused
    assert p.authenticate(HELD).authenticated
    issuer.keys = [jwk_of(KEY_C, "gitlab-1"), jwk_of(KEY_B, "gitlab-2")]
    issuer.up()
    time.sleep(0.25)  # past the cooldown
    assert p.authenticate(rotated).authenticated
    assert p.authenticate(HELD).authenticated and p.ready()
    assert issuer.hits(JWKS) == 2


def test_verifications_from_many_threads_while_the_issuer_flaps(issuer: Issuer) -> None:
    cooldown = 0.2
    p = started(issuer, cooldown=cooldown, ttl=TTL)
    stop = threading.Event()
    failures: List[str] = []

    def verify() -> None:
        tokens = held_tokens(20)
        i = 0
        while not stop.is_set():
            if not p.authenticate(tokens[i % 20]).authenticated:
                failures.append("held token refused")
            p.authenticate(pyjwt_token(KEY_A, headers={"kid": "nope"}))
            i += 1

    threads = [threading.Thread(target=verify) for _ in range(4)]
    for t in threads:
        t.start()
    began = time.monotonic()
    for fault in ["status500", "garbage", "slow", "ok", "status500", "ok"]:
        set_fault(issuer, fault)
        time.sleep(0.3)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    assert not failures
    # Unknown-kid refreshes at most once per cooldown, background refreshes at most once per TTL
    # (after a success) and none within retry_after_failure (after a failure).
    bound = math.ceil(elapsed / cooldown) + math.ceil(elapsed / TTL) + 1
    assert issuer.hits(DISCOVERY) - 1 <= bound, (issuer.hits(DISCOVERY), elapsed)
    assert p.authenticate(HELD).authenticated
