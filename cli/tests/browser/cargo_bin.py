"""Prints the path of the `cloud-connector` binary from cargo's JSON messages on stdin.

`make browser-test` asks `cargo test --workspace --no-run` (exactly the build `make test`'s
rust-test made, so nothing is compiled twice) which binary it built, instead of `cargo build -p`,
whose different feature set would compile the core and the CLI again.
"""

import json
import sys

for line in sys.stdin:
    message = json.loads(line)
    target = message.get("target", {})
    if (
        message.get("reason") == "compiler-artifact"
        and target.get("name") == "cloud-connector"
        and target.get("kind") == ["bin"]
        # `cargo test` also builds the bin as its own unit-test harness (profile.test): not that.
        and not message.get("profile", {}).get("test", True)
        and message.get("executable")
    ):
        print(message["executable"])
        sys.exit(0)
sys.exit("cargo_bin.py: cargo reported no cloud-connector binary")
