#!/bin/sh
# A Postgres node of the compose profile "ha" (docker-compose.yml): registered with the monitor on
# its first start (the first node becomes the primary, the next its synchronous standby, copied
# from it), then run by its keeper, which follows the monitor's decisions from then on.
set -eu
if [ ! -f "$PGDATA/PG_VERSION" ]; then
  # A standby's copy starts at the primary's next checkpoint, which by default is minutes away:
  # ask for one now (and again, until the copy has begun). Nothing to ask on the first node.
  if [ -n "${PG_HA_PRIMARY:-}" ]; then
    (for i in 1 2 3 4 5 6 7 8 9 10; do sleep 3; psql -h "$PG_HA_PRIMARY" -p "${PG_HA_PRIMARY_PORT:-$PGPORT}" -U postgres -d postgres -qc checkpoint >/dev/null 2>&1 || true; done) &
  fi
  pg_autoctl create postgres --auth trust --no-ssl --pg-hba-lan \
    --hostname "$PG_HA_HOSTNAME" --name "$PG_HA_NAME" --pgport "$PGPORT" \
    --dbname holdcart --monitor "$PG_AUTOCTL_MONITOR"
  # A primary cut off from the monitor and its standby stops taking writes after 3 s (20 s by default).
  pg_autoctl config set timeout.network_partition_timeout 3
fi
exec pg_autoctl run
