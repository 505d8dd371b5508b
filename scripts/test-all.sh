#!/usr/bin/env bash
# Every check and test suite: lint, format, typecheck (main, preload, renderer, tests), TypeScript
# unit tests, Python tests under models/, and the browser end-to-end journey. Installs what it needs
# first (scripts/setup.sh). Runs every suite even when one fails, then prints one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

results=build/test-results
rm -rf "$results" && mkdir -p "$results"
failed=()
step() {
  local name=$1; shift
  printf '\n=== %s\n' "$name"
  if ! "$@"; then failed+=("$name"); fi
}

step lint npx eslint .
step format npx prettier --check .
step typecheck npm run --silent typecheck
step build node scripts/build.mjs
step unit npx vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json"
step python bash scripts/test-python.sh "$results/pytest.xml"
step e2e npx playwright test

printf '\n'
node scripts/summarize-tests.mjs "$results" || failed+=(summary)
if [ ${#failed[@]} -gt 0 ]; then
  printf 'FAILED steps: %s\n' "${failed[*]}"
  exit 1
fi
