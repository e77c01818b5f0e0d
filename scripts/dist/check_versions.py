#!/usr/bin/env python3
"""`make versions-check`: the package versions agree with the consumers' pins and the README.

Each version is set in one place:
- Python: bindings-python/pyproject.toml [project].version
- Ruby: bindings-ruby/lib/gitlab/cloud_connector/version.rb (the gemspec reads it)
- npm: bindings-node/package.json (its own line; the platform packages are stamped from it by
  scripts/dist/node.sh, and napi writes it into the generated binding.js loader)

This fails when a version leaves what its consumer accepts, when a copy that is generated from
it (binding.js) is stale, or when the README compatibility table names another version.
Usage: check_versions.py [REPO_ROOT]
"""

import json
import re
import sys
from pathlib import Path

import tomllib

# The consumers' constraints (README "Compatibility"): the AI gateway's pyproject.toml declares
# gitlab-cloud-connector = "^3.16.0"; GitLab Rails locks the gem at 1.x (Gemfile.lock /
# Gemfile.checksum: 1.0.0, Gemfile requirement ~> 1.0).
PYTHON_RANGE = ((3, 16, 0), (4,))
GEM_RANGE = ((1, 0), (2,))


def release(version: str) -> tuple[int, ...]:
    m = re.fullmatch(r"(\d+(?:\.\d+)*)", version)
    if not m:
        raise SystemExit(f"versions-check: {version!r} is not a plain release version (digits and dots)")
    return tuple(int(p) for p in version.split("."))


def main(repo: Path) -> int:
    problems = []
    python = tomllib.loads((repo / "bindings-python/pyproject.toml").read_text())["project"]["version"]
    rb = (repo / "bindings-ruby/lib/gitlab/cloud_connector/version.rb").read_text()
    gem = re.search(r'VERSION = "([^"]+)"', rb).group(1)
    npm = json.loads((repo / "bindings-node/package.json").read_text())["version"]

    lo, hi = PYTHON_RANGE
    if not lo <= release(python) < hi:
        problems.append(f"bindings-python/pyproject.toml: {python} is outside the AI gateway's ^3.16.0")
    lo, hi = GEM_RANGE
    if not lo <= release(gem) < hi:
        problems.append(f"bindings-ruby/.../version.rb: {gem} is outside GitLab Rails' 1.x pin")
    release(npm)

    loader = (repo / "bindings-node/binding.js").read_text()
    stale = sorted(set(re.findall(r"bindingPackageVersion !== '([^']+)'", loader)) - {npm})
    if stale:
        problems.append(
            f"bindings-node/binding.js expects {stale}, package.json says {npm}: "
            "run 'npm run build' in bindings-node"
        )

    readme = (repo / "README.md").read_text()
    table = readme.split("## Compatibility", 1)
    if len(table) < 2:
        problems.append("README.md has no '## Compatibility' section")
    else:
        section = table[1].split("\n## ", 1)[0]
        for name, version in [
            ("gitlab-cloud-connector (PyPI)", python),
            ("gitlab-cloud-connector (gem)", gem),
            ("@gitlab/cloud-connector", npm),
        ]:
            if not re.search(rf"\|\s*`{re.escape(name)}`\s*\|\s*`{re.escape(version)}`\s*\|", section):
                problems.append(f"README.md Compatibility: no row `{name}` | `{version}`")

    for p in problems:
        print(f"versions-check: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"versions-check: Python {python}, gem {gem}, npm {npm}: within the consumers' pins, README agrees")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()))
