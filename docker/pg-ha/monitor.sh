#!/bin/sh
# The pg_auto_failover monitor of the compose profile "ha" (docker-compose.yml). Created on the
# first start, then run; tuned as `npm run pg:ha` tunes its own (scripts/pg-ha.ts: a node is
# found down in about 2 s and its standby promoted after 5 s, instead of 30 s and more).
set -eu
if [ ! -f "$PGDATA/PG_VERSION" ]; then
  pg_autoctl create monitor --auth trust --no-ssl --hostname "$PG_HA_HOSTNAME" --pgport "$PGPORT"
  cat >>"$PGDATA/postgresql.conf" <<'CONF'
# Holdcart: fail over in seconds (scripts/pg-ha.ts, MONITOR_SETTINGS).
pgautofailover.health_check_period = 1000
pgautofailover.health_check_timeout = 1000
pgautofailover.health_check_max_retries = 1
pgautofailover.health_check_retry_delay = 500
pgautofailover.node_considered_unhealthy_timeout = 2000
pgautofailover.primary_demote_timeout = 5000
CONF
fi
exec pg_autoctl run
