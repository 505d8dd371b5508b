#!/usr/bin/env bash
# The device tool sends the working tree (tracked files and untracked ones git does not ignore) and
# refuses one over 64 MiB. The bundled models and the training weights alone are larger, and no
# device check needs them (gpu-check exports its own random vox-256), so they step aside for the call:
#
#   bash scripts/gpu-check/slim.sh out    # large tracked files -> .device-stash/ (ignored), prints what travels
#   ... device run, carry build/gpu-check ...
#   bash scripts/gpu-check/slim.sh back   # puts them back (git status is clean again)
#   bash scripts/gpu-check/slim.sh size   # what would travel now, in MiB
#
# Files over LIMIT bytes (default 1 MiB) are moved; the list is kept in .device-stash/moved.txt so
# `back` restores exactly those, and refuses to overwrite a file that reappeared in the meantime.
set -euo pipefail
cd "$(dirname "$0")/../.."
stash=.device-stash
limit=${LIMIT:-1048576}

travelling() {
  # Tracked files that exist, plus untracked files git does not ignore; NUL-separated sizes summed.
  { git ls-files -z; git ls-files -z --others --exclude-standard; } |
    xargs -0 -r stat -c %s 2>/dev/null | awk '{ s += $1 } END { printf "%.1f\n", s / 1048576 }'
}

case "${1:-}" in
  out)
    grep -qx "/$stash/" .git/info/exclude 2>/dev/null || echo "/$stash/" >>.git/info/exclude
    if [ -s "$stash/moved.txt" ]; then
      echo "$stash/moved.txt exists: run '$0 back' first" >&2
      exit 1
    fi
    mkdir -p "$stash"
    git ls-files -z | while IFS= read -r -d '' f; do
      if [ -f "$f" ] && [ "$(stat -c %s "$f")" -gt "$limit" ]; then printf '%s\n' "$f"; fi
    done >"$stash/moved.txt"
    while IFS= read -r f; do
      mkdir -p "$stash/$(dirname "$f")"
      mv "$f" "$stash/$f"
    done <"$stash/moved.txt"
    echo "moved $(wc -l <"$stash/moved.txt") files aside; the working tree that travels: $(travelling) MiB"
    ;;
  back)
    [ -f "$stash/moved.txt" ] || { echo "nothing to put back"; exit 0; }
    while IFS= read -r f; do
      if [ -e "$f" ]; then
        echo "$f exists again: left $stash/$f where it is" >&2
        continue
      fi
      mv "$stash/$f" "$f"
    done <"$stash/moved.txt"
    rm "$stash/moved.txt"
    echo "put back; git status:"
    git status --short | head -20
    ;;
  size)
    echo "$(travelling) MiB"
    ;;
  *)
    echo "usage: $0 out|back|size" >&2
    exit 2
    ;;
esac
