"""Shared paths for the Python suite."""

from __future__ import annotations

import json
import os
import pathlib
from typing import Any, Dict

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
VECTORS = REPO / "tests" / "vectors"
SHARED = pathlib.Path(os.environ.get("CLOUD_CONNECTOR_SHARED_DIR", REPO.parent / "shared"))


def load_vectors(name: str) -> Dict[str, Any]:
    with open(VECTORS / name) as f:
        data: Dict[str, Any] = json.load(f)
    return data


@pytest.fixture
def write_catalog(tmp_path: pathlib.Path):  # type: ignore[no-untyped-def]
    """Writes ``{"<kind>/<name>.yml": text}`` into a fresh directory and returns it."""

    def write(files: Dict[str, str]) -> pathlib.Path:
        root = tmp_path / "catalog"
        root.mkdir(exist_ok=True)
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return root

    return write
