#!/usr/bin/env python3
"""One process, one table: gitlab_cloud_connector against what a Python service would use instead.

    python bench/python_bench.py [--quick]

Every verify row checks the realistic token of issue 18 (bench/realistic_token.json: claims of
about 900 bytes, 26 scopes, an `aud` list, signed by the third of the JWKS's four keys and
naming it by `kid`). Rows (median microseconds per operation over several batches):
- ours, verify uncached: `KeySet.verify` (the core's full check: parse, RS256, claims)
- ours, authenticate uncached: `CompositeProvider.authenticate` (the AI gateway's path) with its
  token cache off
- ours, cache hit: `CompositeProvider.authenticate` of a token it has verified before
- PyJWT `jwt.decode` with a prepared key object
- python-jose `jwt.decode` with the AI gateway's 4-key JWKS (local signing, local validation,
  GitLab.com, CustomersDot) and the token (third key; jose ignores its kid and tries the keys in
  order) -- the path the AI gateway takes today; and the same for a kid-less user token signed
  by the first key
- ours `TokenAuthority.encode` vs python-jose `jwt.encode` with the PEM
- ours `TokenAuthority.encode` vs python-jose `jwt.encode` and PyJWT `jwt.encode` with the PEM
- catalog: first use in a fresh interpreter (import and first `load_catalog()`), lookups by name,
  against loading `config/unit_primitives/*.yml` with PyYAML
Targets (issue 4): verify >= 4x PyJWT, >= 10x python-jose; cache hit <= 2 us; encode >= 3x jose.

With `--json PATH` it also writes its rows for `bench/report.py` (the one cross-language table).
"""

from __future__ import annotations

import json
import os
import pathlib
import statistics
import subprocess
import sys
import time
from typing import Callable, List, Tuple

import jwt as pyjwt
import yaml
from cryptography.hazmat.primitives import serialization
from gitlab_cloud_connector import (
    CloudConnectorUser,
    CompositeProvider,
    KeySet,
    StaticJwksProvider,
    TokenAuthority,
    UserClaims,
    _native,
)
from gitlab_cloud_connector.data_model import load_catalog
from jose import jwt as jose_jwt

ROOT = pathlib.Path(__file__).resolve().parents[1]
VECTORS = json.loads((ROOT / "tests" / "vectors" / "tokens.json").read_text())
# The realistic token of issue 18 and its four-key JWKS (bench/make_realistic_token.py).
REALISTIC = json.loads((ROOT / "bench" / "realistic_token.json").read_text())
AUD = "gitlab-ai-gateway"
QUICK = "--quick" in sys.argv


def median_us(fn: Callable[[], object], batch: int) -> float:
    fn()  # warm up
    samples = []
    for _ in range(3 if QUICK else 7):
        start = time.perf_counter_ns()
        for _ in range(batch):
            fn()
        samples.append((time.perf_counter_ns() - start) / batch / 1000)
    return statistics.median(samples)


def authenticate_providers(
    jwks: dict[str, object], token: str
) -> Tuple[CompositeProvider, CompositeProvider]:
    """The AI gateway's path, `CompositeProvider.authenticate`, with the token cache off (the
    Python class over a native composite built without it: the class has no such option) and
    on; both checked to accept `token`. Shared with bench/callgrind/python_loop.py."""
    uncached = CompositeProvider([StaticJwksProvider(None, jwks)])
    uncached._use_native(
        _native.Composite([_native.KeySource.static_jwks("bench", json.dumps(jwks))], token_cache_size=0)
    )
    cached = CompositeProvider([StaticJwksProvider(None, jwks)])
    assert cached.authenticate(token).authenticated and uncached.authenticate(token).authenticated
    return uncached, cached


def interleaved_us(fns: List[Callable[[], object]], batch: int) -> List[float]:
    """Medians of `fns` timed in alternation, a batch of each per round: a machine whose speed
    drifts slows them alike, so their ratios (ours over the raw floor) hold."""
    for fn in fns:
        fn()  # warm up
    samples: List[List[float]] = [[] for _ in fns]
    for _ in range(5 if QUICK else 21):
        for fn, times in zip(fns, samples, strict=True):
            start = time.perf_counter_ns()
            for _ in range(batch):
                fn()
            times.append((time.perf_counter_ns() - start) / batch / 1000)
    return [statistics.median(times) for times in samples]


FIRST_USE = """
import time
start = time.perf_counter_ns()
from gitlab_cloud_connector.data_model import load_catalog
load_catalog().unit_primitive("duo_chat")
print((time.perf_counter_ns() - start) / 1000)
"""


def first_use_us() -> float:
    """Median over fresh interpreters: import plus the first catalog lookup."""
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", FIRST_USE], check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(3 if QUICK else 7)
    ]
    return statistics.median(runs)


def yaml_load() -> object:
    return [
        yaml.safe_load(f.read_text()) for f in sorted((ROOT / "config" / "unit_primitives").glob("*.yml"))
    ]


def json_path() -> str | None:
    return sys.argv[sys.argv.index("--json") + 1] if "--json" in sys.argv else None


# (operation, implementation) of each row, for bench/report.py; "ours" marks our own rows.
ROW_KEYS = {
    "raw aws-lc-rs RS256 verify (SignatureFloor.check, same process)": ("verify", "raw aws-lc"),
    "ours verify, uncached (KeySet.verify)": ("verify", "ours"),
    "PyJWT decode, prepared key": ("verify", "PyJWT"),
    "python-jose decode, 4-key JWKS (kid ignored)": ("verify", "python-jose"),
    "ours authenticate, uncached (CompositeProvider.authenticate, token cache off)": ("authenticate", "ours"),
    "ours cache hit (CompositeProvider.authenticate)": ("cache_hit", "ours"),
    "raw aws-lc-rs RS256 sign (SigningFloor.sign, same process)": ("issue", "raw aws-lc"),
    "ours TokenAuthority.encode": ("issue", "ours"),
    "python-jose encode (PEM)": ("issue", "python-jose"),
    "PyJWT encode (PEM)": ("issue", "PyJWT"),
    "ours first use (fresh interpreter: import, load, lookup)": ("catalog_first_use", "ours"),
    "ours Catalog.unit_primitive('duo_chat')": ("catalog_lookup", "ours"),
    "PyYAML load of config/unit_primitives/*.yml": ("catalog_lookup", "PyYAML load"),
}


def main() -> None:
    os.environ["CLOUD_CONNECTOR_SERVICE_NAME"] = AUD
    jwks = REALISTIC["jwks"]
    token = REALISTIC["token"]
    claims = REALISTIC["claims"]
    kid = pyjwt.get_unverified_header(token)["kid"]
    signer_jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
    public_key = pyjwt.algorithms.RSAAlgorithm.from_jwk(signer_jwk)
    pems = [VECTORS["keys"][k] for k in ("a",)]
    privs = [serialization.load_pem_private_key(p.encode(), password=None) for p in pems]
    # Our own user token: no kid, signed by the local signing key (the first of the JWKS).
    user_token = pyjwt.encode(claims, privs[0], algorithm="RS256")

    keys = KeySet.from_jwks(jwks)
    uncached, cached = authenticate_providers(jwks, token)
    assert keys.verify(token, [AUD])["scopes"] == claims["scopes"]
    authority = TokenAuthority(pems[0])
    user = CloudConnectorUser(True, claims=UserClaims())
    scopes = claims["scopes"]
    instance = claims["gitlab_instance_id"]
    catalog = load_catalog()

    b = 200 if QUICK else 1000
    # Issue 18's ratios: ours and the raw signature check (the floor), alternating in this process.
    floor = _native.SignatureFloor(token, keys)
    raw, verify, authenticate = interleaved_us(
        [floor.check, lambda: keys.verify(token, [AUD]), lambda: uncached.authenticate(token)], b // 3
    )

    # The same for issuance: the raw RS256 signature of one of our tokens, and our encode.
    def issue() -> Tuple[str, int]:
        return authority.encode("u", "self-managed", user, instance, scopes)

    sign_floor = _native.SigningFloor(pems[0], issue()[0])
    raw_sign, encode = interleaved_us([sign_floor.sign, issue], b // 10)
    rows: List[Tuple[str, float]] = [
        ("raw aws-lc-rs RS256 verify (SignatureFloor.check, same process)", raw),
        ("ours verify, uncached (KeySet.verify)", verify),
        ("ours verify, uncached, no-kid user token", median_us(lambda: keys.verify(user_token, [AUD]), b)),
        (
            "python-jose decode, no-kid user token",
            median_us(lambda: jose_jwt.decode(user_token, jwks, audience=AUD, algorithms=["RS256"]), b // 4),
        ),
        ("ours authenticate, uncached (CompositeProvider.authenticate, token cache off)", authenticate),
        (
            "ours authenticate, uncached (native, no Python user object)",
            median_us(lambda: uncached._native.authenticate(token, AUD), b),
        ),
        (
            "ours cache hit (CompositeProvider.authenticate)",
            median_us(lambda: cached.authenticate(token), b * 10),
        ),
        (
            "ours cache hit (native, no Python user object)",
            median_us(lambda: cached._native.authenticate(token, AUD), b * 10),
        ),
        (
            "PyJWT decode, prepared key",
            median_us(lambda: pyjwt.decode(token, public_key, audience=AUD, algorithms=["RS256"]), b),
        ),
        (
            "python-jose decode, 4-key JWKS (kid ignored)",
            median_us(lambda: jose_jwt.decode(token, jwks, audience=AUD, algorithms=["RS256"]), b // 4),
        ),
        ("raw aws-lc-rs RS256 sign (SigningFloor.sign, same process)", raw_sign),
        ("ours TokenAuthority.encode", encode),
        (
            "python-jose encode (PEM)",
            median_us(lambda: jose_jwt.encode(claims, pems[0], algorithm="RS256"), b // 10),
        ),
        ("PyJWT encode (PEM)", median_us(lambda: pyjwt.encode(claims, privs[0], algorithm="RS256"), b // 10)),
        ("ours first use (fresh interpreter: import, load, lookup)", first_use_us()),
        (
            "ours Catalog.unit_primitive('duo_chat')",
            median_us(lambda: catalog.unit_primitive("duo_chat"), b * 10),
        ),
        ("PyYAML load of config/unit_primitives/*.yml", median_us(yaml_load, 3 if QUICK else 10)),
    ]
    t = dict(rows)
    ours = t["ours verify, uncached (KeySet.verify)"]
    checks = [
        ("verify >= 4x PyJWT", t["PyJWT decode, prepared key"] / ours, 4.0),
        (
            "verify >= 10x python-jose (AI gateway path)",
            t["python-jose decode, 4-key JWKS (kid ignored)"] / ours,
            10.0,
        ),
        ("cache hit <= 2 us", 2.0 / t["ours cache hit (CompositeProvider.authenticate)"], 1.0),
        ("encode >= 3x python-jose", t["python-jose encode (PEM)"] / t["ours TokenAuthority.encode"], 3.0),
    ]
    print(f"{'python operation':<78} {'median us':>10}")
    for name, us in rows:
        print(f"{name:<78} {us:>10.2f}")
    print()
    print(f"{'target':<52} {'ratio':>10}  met")
    for name, ratio, need in checks:
        print(f"{name:<52} {ratio:>9.2f}x  {'yes' if ratio >= need else 'NO'}")
    path = json_path()
    if path:
        out = [
            {"op": ROW_KEYS[name][0], "impl": ROW_KEYS[name][1], "us": us}
            for name, us in rows
            if name in ROW_KEYS
        ]
        pathlib.Path(path).write_text(json.dumps({"language": "python", "rows": out}, indent=1) + "\n")


if __name__ == "__main__":
    main()
