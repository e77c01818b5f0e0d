#!/usr/bin/env python3
"""Prepares the directory `gem build` runs in (`make ruby-gem`).

The gem must build where this repository is absent, so the staging directory gets:
- bindings-ruby's gemspec, lib/, sig/, README, the repository's LICENSE and the extension's
  sources;
- core/: the core crate as `cargo package` normalises it (workspace values resolved), without
  its tests and benches;
- config/: the catalog (the core's build.rs finds it at core/../config; the gem's
  Configuration.config_dir points at it);
- ext/cloud_connector/Cargo.toml rewritten: workspace values resolved, the core by path
  (../../core), an empty [workspace] (the installed gem is not part of any workspace), the
  release profile; and a Cargo.lock (RubyGems builds with --locked).

Usage: stage_gem.py REPO_ROOT STAGE_DIR
"""

import json
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + " }"
    return str(v)


def cargo(args, **kw):
    """Runs cargo offline first (everything is normally cached by the workspace build), then
    online if the cache lacks something (a fresh machine that has not built the workspace)."""
    try:
        return subprocess.run(["cargo", *args, "--offline"], check=True, **kw)
    except subprocess.CalledProcessError:
        return subprocess.run(["cargo", *args], check=True, **kw)


def main(repo: Path, stage: Path) -> None:
    ws = tomllib.loads((repo / "Cargo.toml").read_text())
    ws_pkg, ws_deps = ws["workspace"]["package"], ws["workspace"]["dependencies"]
    src = repo / "bindings-ruby"
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    for name in ["gitlab-cloud-connector.gemspec", "README.md"]:
        shutil.copy2(src / name, stage / name)
    shutil.copy2(repo / "LICENSE", stage / "LICENSE")
    for d in ["lib", "sig"]:
        shutil.copytree(src / d, stage / d)
    ext = stage / "ext" / "cloud_connector"
    shutil.copytree(src / "ext" / "cloud_connector" / "src", ext / "src")
    shutil.copytree(src / "ext" / "cleanup", stage / "ext" / "cleanup")
    shutil.copytree(repo / "config", stage / "config")

    # core/: what `cargo package` would publish (normalised Cargo.toml), minus tests and benches.
    meta = cargo(["metadata", "--format-version", "1", "--no-deps"],
                 cwd=repo, capture_output=True, text=True).stdout
    target = Path(json.loads(meta)["target_directory"])
    cargo(["package", "-p", "cloud-connector", "--no-verify", "--allow-dirty", "-q"], cwd=repo)
    version = tomllib.loads((repo / "core" / "Cargo.toml").read_text())["package"]["version"]
    if isinstance(version, dict):
        version = ws_pkg["version"]
    crate = target / "package" / f"cloud-connector-{version}.crate"
    core = stage / "core"
    with tarfile.open(crate) as tar:
        for m in tar.getmembers():
            rel = Path(*Path(m.name).parts[1:])
            if not rel.parts or rel.parts[0] in ("tests", "benches") or m.isdir():
                continue
            if rel.name in ("Cargo.toml.orig", "Cargo.lock", ".cargo_vcs_info.json"):
                continue
            out = core / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(tar.extractfile(m).read())
    manifest = (core / "Cargo.toml").read_text()
    # Tests and benches are not shipped: drop their targets and the dev-dependencies.
    manifest = re.sub(r"\n\[\[(bench|test)\]\]\n(?:[^\[\n][^\n]*\n)*", "\n", manifest)
    manifest = re.sub(r"\n\[dev-dependencies(\.[^\]]+)?\]\n(?:[^\[\n][^\n]*\n)*", "\n", manifest)
    manifest = re.sub(r"\nautobenches = \w+|\nautotests = \w+", "", manifest)
    manifest = re.sub(r"\n{3,}", "\n\n", manifest)
    manifest += "\n[package.metadata]\nvendored-into = \"gitlab-cloud-connector gem\"\n"
    manifest = manifest.replace("[package]\n", "[package]\nautotests = false\nautobenches = false\n", 1)
    (core / "Cargo.toml").write_text(manifest)

    # The extension's manifest, standalone.
    out = []
    for line in (src / "ext" / "cloud_connector" / "Cargo.toml").read_text().splitlines():
        m = re.match(r"^([\w-]+)\.workspace = true$", line)
        if m:
            key = m.group(1)
            if key == "cloud-connector":
                out.append('cloud-connector = { path = "../../core" }')
            elif key in ws_pkg:
                out.append(f"{key} = {toml_value(ws_pkg[key])}")
            else:
                out.append(f"{key} = {toml_value(ws_deps[key])}")
        else:
            out.append(line)
    out += ["", "# Not part of any workspace once installed.", "[workspace]", ""]
    profile = ws.get("profile", {}).get("release", {})
    if profile:
        out.append("[profile.release]")
        out += [f"{k} = {toml_value(v)}" for k, v in profile.items()]
    (ext / "Cargo.toml").write_text("\n".join(out) + "\n")
    shutil.copy2(repo / "Cargo.lock", ext / "Cargo.lock")
    # Trim the workspace lock to this crate's graph (offline: every version is already locked).
    cargo(["metadata", "--format-version", "1", "--manifest-path", str(ext / "Cargo.toml")],
          stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve())
