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
# The reliability scenarios and the Redis Cluster pass share nothing: each file has a database of
# its own, the scenarios their own servers and ports, the cluster pass its own Redis Cluster (its
# project's files a Redis db of their own, 6), and together they stay under 75 of Postgres' 100
# connections. Side by side they take the reliability suite's 7 minutes instead of 12. The
# cluster pass's output follows the reliability suite's.
cluster_log=$(mktemp)
TEST_RELIABILITY_REDIS_DB=6 npm run test:cluster >"$cluster_log" 2>&1 &
cluster=$!
trap 'kill "$build" "$cluster" 2>/dev/null || true; rm -f "$log" "$cluster_log"' EXIT
npm run test:reliability
cluster_status=0
wait "$cluster" || cluster_status=$?
cat "$cluster_log"
[ "$cluster_status" -eq 0 ] || exit "$cluster_status"
# Postgres losing its primary (docs/high-availability.md): the production build on a
# pg_auto_failover pair of its own (ports 6500-6502, web 3700, Redis db 5) under shoppers, through a
# postmaster kill, a node kill and a switchover; about 75 s. Alone: it asserts bounds in seconds.
npm run test:ha:store
