#!/usr/bin/env bash
# Prints the artifacts of DIR with their sizes (the README "Install" table is written from it).
# Usage: sizes.sh DIR
set -euo pipefail
cd "$1"
echo "dist: artifacts in $1"
for f in *; do
  printf '  %-72s %7s KiB\n' "$f" "$(( ($(stat -c %s "$f") + 1023) / 1024 ))"
done
