#!/usr/bin/env bash
# models/ tests with Debian's Python (CPU torch). Optional arg: JUnit XML output path.
set -euo pipefail
cd "$(dirname "$0")/../models"
args=(-q -p no:cacheprovider)
[ $# -ge 1 ] && args+=(--junitxml "$(realpath -m "../$1")")
/usr/bin/python3 -m pytest "${args[@]}" tests
