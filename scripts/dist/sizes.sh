#!/usr/bin/env bash
# Prints the artifacts of DIR with their sizes (the README "Install" table is written from it),
# and the Ruby minors each platform gem holds an extension for.
# Usage: sizes.sh DIR
set -euo pipefail
# shellcheck source=scripts/dist/rubies.sh
. "$(dirname "$0")/rubies.sh"
cd "$1"
echo "dist: artifacts in $1"
for f in *; do
  rubies=
  case $f in *-linux.gem)
    rubies=" Ruby $(gem_minors "$f" | paste -sd ' ')" ;;
  esac
  printf '  %-72s %7s KiB%s\n' "$f" "$(( ($(stat -c %s "$f") + 1023) / 1024 ))" "$rubies"
done
