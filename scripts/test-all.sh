#!/usr/bin/env bash
# `npm test`: every suite CI runs. Most of a suite's time is waiting (for holds to run out, for
# servers to start, for a browser), not work: on CI's 2 cores one suite at a time kept them two
# thirds idle. So suites that share nothing run side by side, as lanes: each has its own
# databases, Redis dbs (or Redis Cluster) and ports, and together they stay within Postgres' 100
# connections. A lane's output is printed when all of its group is done, a failed lane's last.
set -euo pipefail
cd "$(dirname "$0")/.."
logs=$(mktemp -d)
pids=()
names=()
trap 'for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || true; done; rm -rf "$logs"' EXIT
trap 'exit 130' INT TERM # Ctrl-C stops the lanes too (they are not in the terminal's process group)
set -m # each lane a process group of its own, so a failure stops all of a lane's servers

# lane NAME COMMAND: runs COMMAND (a shell function) in the background, its output kept.
lane() {
  local name=$1
  shift
  (
    start=$SECONDS
    status=0
    "$@" >"$logs/$name.log" 2>&1 || status=$?
    echo "$status $((SECONDS - start))" >"$logs/$name.status"
  ) &
  pids+=($!)
  names+=("$name")
}

# group: waits for every lane started since the last group, prints their output (the failed
# ones last, where a reader of CI's tail looks), and fails if any lane did.
group() {
  wait "${pids[@]}" || true
  local failed=()
  for name in "${names[@]}"; do
    # A lane killed before it could say how it ended (out of memory, say) failed.
    [ -s "$logs/$name.status" ] || echo "137 0" >"$logs/$name.status"
    read -r status seconds <"$logs/$name.status"
    if [ "$status" -eq 0 ]; then
      printf '\n==> %s: passed in %d s\n' "$name" "$seconds"
      cat "$logs/$name.log"
    else
      failed+=("$name")
    fi
  done
  for name in "${failed[@]}"; do
    read -r status seconds <"$logs/$name.status"
    printf '\n==> %s: FAILED (exit %d) after %d s\n' "$name" "$status" "$seconds"
    cat "$logs/$name.log"
  done
  pids=()
  names=()
  [ "${#failed[@]}" -eq 0 ]
}

# Checks, and the production build the end-to-end and reliability suites run (`next typegen`
# writes into the build's .next, so the type check goes first). The unit and integration suites
# need no build.
checked_build() { npm run typecheck && npm run build; }
unit_and_integration() { npm run test:unit && npm run test:integration; }
lane build checked_build
lane lint npm run lint
lane setup npm run test:setup
lane unit+integration unit_and_integration
group

# The suites against the build, in two lanes of about equal length: a third lane made every suite
# take twice as long and the machine too slow for its own timeouts. End-to-end (servers on
# 3210-3212, Redis dbs 10, 14, 15), then the integration suite on a Redis Cluster (7100-7105;
# `npm run test:cluster`). Beside them, the reliability suite (servers on ports the OS picks, Redis
# db 11), then the cluster scenarios (a cluster of their own, 7200-7205).
pages_then_cluster() { npx playwright test && npm run test:cluster -- --no-scenarios; }
faults_then_cluster_scenarios() { npm run test:reliability && npx vitest run --project cluster; }
lane e2e+cluster pages_then_cluster
lane reliability+cluster-scenarios faults_then_cluster_scenarios
group

# Postgres losing its primary (docs/high-availability.md): the production build on a
# pg_auto_failover pair of its own (ports 6500-6502, web 3700, Redis db 5) under shoppers, through a
# postmaster kill, a node kill and a switchover; about 75 s. Alone: it asserts bounds in seconds.
npm run test:ha:store
