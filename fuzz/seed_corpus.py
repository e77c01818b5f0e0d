#!/usr/bin/env python3
"""Writes the fuzz targets' seed inputs from the shared vectors into fuzz/corpus/<target>/
(gitignored; libFuzzer adds what it finds to the same directories). Seeds are derived, not
committed: tokens and keys from tests/vectors/tokens.json, catalogs from tests/vectors/catalog.json
(files joined as `<path>\\n<text>` chunks separated by NUL, the catalog_yaml input format)."""

import hashlib
import json
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
OUT = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "fuzz" / "corpus"


def write(target: str, data: bytes) -> None:
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / ("seed-" + hashlib.sha1(data).hexdigest())).write_bytes(data)


tokens = json.loads((REPO / "tests/vectors/tokens.json").read_text())
for case in tokens["cases"]:
    write("compact_token", case["token"].encode())
for i in range(len(tokens["cases"])):
    write("compact_token_mutate", bytes([i]))
    write("compact_token_mutate", bytes([i, 0, 40, 65]))
for key in tokens["jwks"]["keys"]:
    write("jwk_jwks", json.dumps(key).encode())
write("jwk_jwks", json.dumps(tokens["jwks"]).encode())
for case in tokens["jwk_cases"]:
    write("jwk_jwks", json.dumps(case["jwk"]).encode())
for case in tokens["jwks_cases"]:
    write("jwk_jwks", json.dumps(case["jwks"]).encode())

catalogs = json.loads((REPO / "tests/vectors/catalog.json").read_text())["catalogs"]
for catalog in catalogs.values():
    if isinstance(catalog, dict):
        chunks = [f"{path}\n{text}" for path, text in catalog["files"].items()]
        write("catalog_yaml", "\0".join(chunks).encode())

print("seeds:", {d.name: len(list(d.iterdir())) for d in sorted(OUT.iterdir())})
