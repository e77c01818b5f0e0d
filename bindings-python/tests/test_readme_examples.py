"""The ```python blocks of bindings-python/README.md run as written, in order, in one fresh
interpreter (so the service name they set and the catalog they load stay out of this process)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from .conftest import REPO

README = REPO / "bindings-python" / "README.md"
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def readme_script() -> tuple[str, int]:
    text = README.read_text()
    parts = []
    for n, match in enumerate(BLOCK.finditer(text), start=1):
        line = text.count("\n", 0, match.start()) + 2
        parts.append(f"# --- README.md block {n}, line {line}\n{match.group(1)}")
    return "\n".join(parts), len(parts)


def test_readme_python_examples_run() -> None:
    script, blocks = readme_script()
    assert blocks >= 5, "bindings-python/README.md lost its examples"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUD_CONNECTOR_")}
    done = subprocess.run(
        [sys.executable, "-c", script + "\nprint('readme examples: ok')\n"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"README example failed:\n{done.stderr}"
    assert done.stdout.strip().endswith("readme examples: ok")
