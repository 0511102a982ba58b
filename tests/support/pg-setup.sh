#!/usr/bin/env bash
# Installs (Debian packages) and starts a PostgreSQL cluster listening on 127.0.0.1 only, shared buffers
# in a SysV segment, with the test role lmtest / password lmtest. Idempotent: run by .ci/run, and by
# PostgresConnectionsTest when no server answers outside CI. Prints "started" when it started the cluster, "running" otherwise.
set -euo pipefail
if ! command -v pg_lsclusters >/dev/null || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
read -r ver cluster port status _ < <(pg_lsclusters --no-header | head -n1) || true
if [ -z "${ver:-}" ]; then
    ver=$(ls /usr/lib/postgresql | sort -n | tail -n1)
    cluster=main
    pg_createcluster "$ver" "$cluster" >&2
    read -r ver cluster port status _ < <(pg_lsclusters --no-header | head -n1)
fi
conf=/etc/postgresql/$ver/$cluster
# loopback only; shared buffers in a SysV segment (instead of mmap) so memstats shows it, like an SGA
settings="listen_addresses = '127.0.0.1'
port = 5432
shared_memory_type = sysv"
if [ "$(cat "$conf/conf.d/linux-mem-test.conf" 2>/dev/null)" != "$settings" ]; then
    mkdir -p "$conf/conf.d"
    printf '%s\n' "$settings" > "$conf/conf.d/linux-mem-test.conf"
    if [ "$status" = online ]; then pg_ctlcluster "$ver" "$cluster" restart >&2; fi
fi
result=running
if [ "$(pg_lsclusters --no-header | awk -v v="$ver" -v c="$cluster" '$1==v && $2==c {print $4}')" != online ]; then
    pg_ctlcluster "$ver" "$cluster" start >&2
    result=started
fi
runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 >&2 <<'SQL'
select 'create role lmtest login' where not exists (select from pg_roles where rolname = 'lmtest') \gexec
alter role lmtest with login password 'lmtest';
SQL
echo "$result $ver $cluster"
