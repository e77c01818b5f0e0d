"""One path of the Python package in a loop on the realistic token, for callgrind
(bench/callgrind/per_call.sh): python bench/callgrind/python_loop.py verify|auth|hit N
"""

from __future__ import annotations

import json
import os
import pathlib
import sys

from gitlab_cloud_connector import KeySet

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from python_bench import authenticate_providers  # noqa: E402

AUD = "gitlab-ai-gateway"


def main() -> None:
    what, n = sys.argv[1], int(sys.argv[2])
    os.environ["CLOUD_CONNECTOR_SERVICE_NAME"] = AUD
    realistic = json.loads((ROOT / "bench/realistic_token.json").read_text())
    token, jwks = realistic["token"], realistic["jwks"]
    keys = KeySet.from_jwks(jwks)
    uncached, cached = authenticate_providers(jwks, token)
    keys.verify(token, [AUD])
    call = {
        "verify": lambda: keys.verify(token, [AUD]),
        "auth": lambda: uncached.authenticate(token),
        "hit": lambda: cached.authenticate(token),
    }[what]
    for _ in range(n):
        call()


if __name__ == "__main__":
    main()
