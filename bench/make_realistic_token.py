#!/usr/bin/env python3
"""Writes bench/realistic_token.json: the token every `make bench` row verifies (issue 18).

    python3 bench/make_realistic_token.py [OUT]

A self-managed instance token as CustomersDot issues it, claims of about 900 bytes of JSON (the
compact token is about 1.6 kB): 26 scopes (the first
unit primitives of the catalog by name), an `aud` list, `jti`, `iss`, `gitlab_instance_id`,
signed by the third of four keys (the AI gateway's order: local signing, local validation,
GitLab.com, CustomersDot) and naming it by `kid`. The keys are the test keys of
tests/vectors/keys; RS256 signatures are deterministic, so the file is reproducible. Needs only
the `openssl` command (no Python packages), so it runs before any virtualenv exists.
"""

from __future__ import annotations

import base64
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
KEYS = ROOT / "tests" / "vectors" / "keys"
AUD = "gitlab-ai-gateway"
# (kid, PEM file) in the AI gateway's order; the token is signed by SIGNER.
KIDS = [
    (f"{AUD}_signing_key", "rsa_a.pem"),
    (f"{AUD}_validation_key", "rsa_b_pkcs1.pem"),
    ("gitlab", "rsa_c.pem"),
    ("customers", "rsa_d.pem"),
]
SIGNER = 2
NOW = 1_700_000_000
# 2100-01-01: the token stays valid for benches that use the real clock.
EXP = 4_102_444_800
INSTANCE = "5f0e3a7c-6b1d-4c2e-9a8f-3d4b5c6e7f80"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def openssl(*args: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(["openssl", *args], input=stdin, check=True, capture_output=True).stdout


def public_jwk(pem: pathlib.Path, kid: str) -> dict[str, str]:
    modulus = openssl("rsa", "-in", str(pem), "-noout", "-modulus").decode().strip().split("=", 1)[1]
    text = openssl("rsa", "-in", str(pem), "-noout", "-text").decode()
    exponent = int(text.split("publicExponent: ", 1)[1].split(" ", 1)[0])
    e = exponent.to_bytes((exponent.bit_length() + 7) // 8, "big")
    return {
        "kty": "RSA",
        "kid": kid,
        "alg": "RS256",
        "use": "sig",
        "n": b64(bytes.fromhex(modulus)),
        "e": b64(e),
    }


def document() -> dict[str, object]:
    scopes = sorted(p.stem for p in (ROOT / "config" / "unit_primitives").glob("*.yml"))[:26]
    claims = {
        "iss": "https://customers.gitlab.com",
        "sub": INSTANCE,
        "aud": [AUD, "gitlab-observability-backend"],
        "exp": EXP,
        "nbf": NOW,
        "iat": NOW,
        "jti": "0b7c1e2d-3f4a-4b5c-8d6e-7f8091a2b3c4",
        "gitlab_realm": "self-managed",
        "gitlab_instance_id": INSTANCE,
        "scopes": scopes,
    }
    kid, pem = KIDS[SIGNER]
    header = {"alg": "RS256", "typ": "JWT", "kid": kid}
    compact = lambda v: json.dumps(v, separators=(",", ":")).encode()  # noqa: E731
    signing_input = f"{b64(compact(header))}.{b64(compact(claims))}"
    signature = openssl("dgst", "-sha256", "-sign", str(KEYS / pem), stdin=signing_input.encode())
    return {
        "description": "The realistic token of issue 18 (bench/make_realistic_token.py writes this file).",
        "audience": AUD,
        "signing_key": f"tests/vectors/keys/{pem}",
        "issuing_key": "tests/vectors/keys/rsa_a.pem",
        "jwks": {"keys": [public_jwk(KEYS / p, k) for k, p in KIDS]},
        "claims": claims,
        "token": f"{signing_input}.{b64(signature)}",
    }


def main(argv: list[str]) -> None:
    out = pathlib.Path(argv[0]) if argv else ROOT / "bench" / "realistic_token.json"
    doc = document()
    out.write_text(json.dumps(doc, indent=1) + "\n")
    claims = json.dumps(doc["claims"], separators=(",", ":"))
    print(f"{out}: claims of {len(claims)} bytes, token of {len(str(doc['token']))} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])
