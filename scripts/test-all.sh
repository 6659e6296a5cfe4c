#!/usr/bin/env bash
# `npm test`: every suite, in the order CI runs them. The production build the end-to-end specs
# need runs beside the unit and integration suites, which do not need it: on CI's 2 cores that
# is a minute of its 20. Its output is shown only if it fails.
set -euo pipefail
npm run typecheck
npm run lint
npm run test:setup
log=$(mktemp)
npm run build >"$log" 2>&1 &
build=$!
trap 'kill "$build" 2>/dev/null || true; rm -f "$log"' EXIT
npm run test:unit
npm run test:integration
if ! wait "$build"; then
  cat "$log"
  exit 1
fi
npx playwright test
npm run test:reliability
npm run test:cluster
