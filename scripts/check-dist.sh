#!/usr/bin/env bash
# Verifies that the committed bundles are what the sources build to: rebuilds
# every action's dist/ and fails when git sees any difference, including new
# files (a new chunk) that `git diff` alone would miss.
#
#   scripts/check-dist.sh             rebuild, then compare
#   scripts/check-dist.sh --no-build  compare only (what the tests exercise)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != "--no-build" ]; then
  node scripts/bundle.mjs
fi
changes=$(git status --porcelain --untracked-files=all -- ':(glob)actions/*/dist/**')
if [ -n "$changes" ]; then
  echo "check-dist: the committed bundles differ from a fresh build:" >&2
  echo "$changes" >&2
  git --no-pager diff --stat -- ':(glob)actions/*/dist/**' >&2 || true
  echo "Run 'make bundle' and commit actions/*/dist." >&2
  exit 1
fi
echo "check-dist: every dist/ matches its sources."
