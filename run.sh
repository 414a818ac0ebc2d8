#!/usr/bin/env bash
# run.sh - start a complete local Messenger cluster with one command:
# a private PostgreSQL (from this machine's own binaries), the silos and the
# ClientApis. Ctrl-C stops everything it started.
#
# Usage: ./run.sh            start the cluster and wait (Ctrl-C stops it)
#        ./run.sh --help     show this text
#
# Settings (environment variables, all optional):
#   MESSENGER_DATA          <repo>/.data       data folder: pg/ (database files),
#                                              logs/ (one log per process), run/ (pid files)
#   MESSENGER_SILOS         2                  number of silos
#   MESSENGER_CLIENTAPIS    1                  number of ClientApi (HTTP) processes
#   MESSENGER_HTTP_PORT     5080               ClientApi i listens on http://127.0.0.1:(port+i)
#   MESSENGER_PG_PORT       5433               PostgreSQL port (127.0.0.1 only)
#   MESSENGER_SILO_PORT     11111              silo-to-silo port; silo i uses port+i
#   MESSENGER_GATEWAY_PORT  30000              client gateway port; silo i uses port+i
#   MESSENGER_CLUSTER_ID    messenger-local    Orleans ClusterId
#   MESSENGER_START_TIMEOUT 120                seconds to wait for a healthy cluster
#
# What it does: finds (or, as root with apt-get, installs) PostgreSQL; creates the
# database folder on first run and reuses it afterwards; builds Messenger.sln in
# Release; starts the silos, then the ClientApis; waits until every ClientApi answers
# GET /health/ready with 200 and all silos are Active in the membership table; prints
# the URLs. PostgreSQL will not run as root, so as root it runs as the 'postgres' user.
# The .NET processes get Messenger__Postgres and Messenger__ClusterId, plus
# Messenger__Silo__{Name,Address,SiloPort,GatewayPort} / Messenger__ClientApi__InstanceId.
# Pid files: run/postgres.pid (the postmaster), run/silo-<i>.pid, run/clientapi-<i>.pid.
#
# If a silo or ClientApi dies while the cluster runs, run.sh reports it and keeps the
# others running (so you can watch the cluster survive losing a silo). If PostgreSQL
# dies, or every silo and ClientApi has exited, it stops everything and exits 1.
#
# Restarting a process that died: create the file run/<name>.restart (e.g.
# run/silo-1.restart) once it has exited, and within a second run.sh starts it again
# exactly as the first time (same settings and ports, log appended, new pid file) and
# deletes the request. The restarted process is still one of run.sh's, so Ctrl-C stops
# it too. bench/run.sh --chaos kills processes and restarts them this way.
set -euo pipefail

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"

say() { printf '[run.sh] %s\n' "$*"; }
die() { printf '[run.sh] error: %s\n' "$*" >&2; exit 1; }

usage() {
  # The header comment above is the help text (single source of truth).
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p;}' "${BASH_SOURCE[0]}"
}

case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  "") ;;
  *) usage >&2; die "unknown argument: $1" ;;
esac

DATA="${MESSENGER_DATA:-$ROOT/.data}"
SILOS="${MESSENGER_SILOS:-2}"
CLIENTAPIS="${MESSENGER_CLIENTAPIS:-1}"
HTTP_PORT="${MESSENGER_HTTP_PORT:-5080}"
PG_PORT="${MESSENGER_PG_PORT:-5433}"
SILO_PORT="${MESSENGER_SILO_PORT:-11111}"
GATEWAY_PORT="${MESSENGER_GATEWAY_PORT:-30000}"
CLUSTER_ID="${MESSENGER_CLUSTER_ID:-messenger-local}"
START_TIMEOUT="${MESSENGER_START_TIMEOUT:-120}"

# --- validate settings --------------------------------------------------------
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
for v in MESSENGER_SILOS:"$SILOS" MESSENGER_CLIENTAPIS:"$CLIENTAPIS" \
         MESSENGER_START_TIMEOUT:"$START_TIMEOUT"; do
  is_uint "${v#*:}" || die "${v%%:*} must be a whole number (got '${v#*:}')"
done
(( SILOS >= 1 )) || die "MESSENGER_SILOS must be at least 1"
check_port_range() { # name base count
  if ! is_uint "$2" || (( $2 < 1 || $2 + $3 - 1 > 65535 )); then
    die "$1 must be a port number with room for $3 port(s) (got '$2')"
  fi
}
check_port_range MESSENGER_PG_PORT "$PG_PORT" 1
check_port_range MESSENGER_SILO_PORT "$SILO_PORT" "$SILOS"
check_port_range MESSENGER_GATEWAY_PORT "$GATEWAY_PORT" "$SILOS"
(( CLIENTAPIS == 0 )) || check_port_range MESSENGER_HTTP_PORT "$HTTP_PORT" "$CLIENTAPIS"
[[ -n $CLUSTER_ID ]] || die "MESSENGER_CLUSTER_ID must not be empty"

IS_ROOT=0
[[ $(id -u) -eq 0 ]] && IS_ROOT=1
HAVE_APT=0
command -v apt-get >/dev/null 2>&1 && HAVE_APT=1

# Relative MESSENGER_DATA is taken relative to the current directory; make it
# absolute because PostgreSQL and the .NET processes run from other directories.
if [[ ! -d $DATA ]]; then
  mkdir -p -- "$DATA"
  chmod 755 "$DATA" # so the postgres user can pass through it even under umask 077
fi
DATA="$(cd -- "$DATA" && pwd -P)"
PGDATA_DIR="$DATA/pg"
LOG_DIR="$DATA/logs"
RUN_DIR="$DATA/run"
PG_LOG="$LOG_DIR/postgres.log"
# A unix socket path may be at most 107 bytes; fall back to /tmp for deep folders.
# (Our own clients use TCP; the socket directory just has to be writable, as the
# default /var/run/postgresql is not for ordinary users.)
SOCK_DIR="$DATA/pg-socket"
sock_path="$SOCK_DIR/.s.PGSQL.$PG_PORT"
(( ${#sock_path} <= 107 )) || SOCK_DIR=/tmp
mkdir -p -- "$LOG_DIR" "$RUN_DIR"

# --- tools ----------------------------------------------------------------------
# Run PostgreSQL's server programs as 'postgres' when we are root (they refuse root).
# cd / first: the postgres user may not be allowed into the caller's directory.
as_pg() {
  if (( IS_ROOT )); then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

pg_major_of() { "$1/pg_ctl" --version 2>/dev/null | awk '{print $3}' | cut -d. -f1; }

# Prints the directory holding initdb, pg_ctl and postgres, preferring the version
# that created an existing data folder, then 15, then the newest; then PATH.
find_pg_bin() {
  local want="" d cands=()
  want="$(cat "$PGDATA_DIR/PG_VERSION" 2>/dev/null || true)"
  [[ -n $want ]] && cands+=("/usr/lib/postgresql/$want/bin" "/opt/homebrew/opt/postgresql@$want/bin" "/usr/local/opt/postgresql@$want/bin")
  cands+=(/usr/lib/postgresql/15/bin)
  while IFS= read -r d; do cands+=("$d"); done < <(
    { ls -d /usr/lib/postgresql/*/bin /opt/homebrew/opt/postgresql@*/bin /usr/local/opt/postgresql@*/bin 2>/dev/null || true; } |
      sort -V -r)
  if command -v pg_ctl >/dev/null 2>&1; then
    d="$(command -v pg_ctl)"
    d="$(readlink -f "$d" 2>/dev/null || echo "$d")"
    cands+=("$(dirname "$d")")
  fi
  for d in "${cands[@]}"; do
    if [[ -x $d/initdb && -x $d/pg_ctl && -x $d/postgres ]]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

find_psql() {
  if [[ -x ${PG_BIN:-/nonexistent}/psql ]]; then echo "$PG_BIN/psql"; else command -v psql; fi
}

install_hint() {
  cat >&2 <<'EOF'
[run.sh] PostgreSQL (initdb, pg_ctl, postgres and the psql client) is needed but was not found.
Install it, then run ./run.sh again:
    Debian/Ubuntu:  sudo apt-get install postgresql
    Fedora/RHEL:    sudo dnf install postgresql-server postgresql
    macOS:          brew install postgresql@15
Or put a folder holding initdb, pg_ctl and postgres on PATH.
EOF
}

PG_BIN="$(find_pg_bin || true)"
PSQL="$(find_psql || true)"
missing_pkgs=()
[[ -n $PG_BIN && -n $PSQL ]] || missing_pkgs+=(postgresql)
command -v curl >/dev/null 2>&1 || missing_pkgs+=(curl)
if (( ${#missing_pkgs[@]} )); then
  if (( IS_ROOT && HAVE_APT )); then
    say "installing ${missing_pkgs[*]} with apt-get (one time)"
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -q >/dev/null && apt-get install -y -q "${missing_pkgs[@]}" >/dev/null; }; then
      die "apt-get install ${missing_pkgs[*]} failed"
    fi
    # The Debian package also starts the system's own PostgreSQL on port 5432;
    # run.sh does not use that one (stop it with: service postgresql stop).
    PG_BIN="$(find_pg_bin || true)"
    PSQL="$(find_psql || true)"
  fi
  if [[ -z $PG_BIN || -z $PSQL ]]; then install_hint; exit 1; fi
  command -v curl >/dev/null 2>&1 ||
    die "curl is needed (sudo apt-get install curl / brew install curl)"
fi
command -v dotnet >/dev/null 2>&1 ||
  die "the .NET 10 SDK (dotnet) is needed: https://dotnet.microsoft.com/download"

if [[ -f $PGDATA_DIR/PG_VERSION ]]; then
  have="$(cat "$PGDATA_DIR/PG_VERSION")"
  [[ $(pg_major_of "$PG_BIN") == "$have" ]] ||
    die "$PGDATA_DIR was created by PostgreSQL $have, but only version $(pg_major_of "$PG_BIN") was found ($PG_BIN). Install PostgreSQL $have, or delete $PGDATA_DIR to start with an empty database."
fi

if (( IS_ROOT )); then
  id postgres >/dev/null 2>&1 ||
    die "running as root, but there is no 'postgres' user to run PostgreSQL as (it refuses to run as root). Create one (useradd --system postgres) or run ./run.sh as a normal user."
  command -v runuser >/dev/null 2>&1 || die "running as root needs 'runuser' (util-linux)"
  as_pg test -x "$DATA" ||
    die "the 'postgres' user cannot reach $DATA (it or a parent folder is closed to other users). Set MESSENGER_DATA to a folder it can reach, e.g. MESSENGER_DATA=/var/tmp/messenger ./run.sh"
fi

# --- process helpers and cleanup --------------------------------------------------
cmdline_of() { # best effort: /proc on Linux, ps elsewhere
  if [[ -r /proc/$1/cmdline ]]; then tr '\0' ' ' <"/proc/$1/cmdline"
  else ps -p "$1" -o command= 2>/dev/null || true; fi
}
alive() { kill -0 "$1" 2>/dev/null; }

# Stops processes with SIGTERM, then SIGKILL whatever is still there after 15 s.
stop_pids() {
  local pid deadline left
  (( $# )) || return 0
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  deadline=$((SECONDS + 15))
  while (( SECONDS < deadline )); do
    left=0
    for pid in "$@"; do alive "$pid" && left=1; done
    (( left )) || return 0
    sleep 0.2
  done
  for pid in "$@"; do
    if alive "$pid"; then say "pid $pid did not stop in 15 s; killing it"; kill -KILL "$pid" 2>/dev/null || true; fi
  done
}

NAMES=()     # processes we started (silo-0, clientapi-0, ...) in start order
PIDS=()      # their pids
REPORTED=()  # 1 once a death has been reported
PG_STARTED=0
PG_PID=""
CLEANING=0
LOCK="$RUN_DIR/run.sh.pid"

# Whatever ends the script (Ctrl-C, SIGTERM, an error, die): stop what we started,
# and only that.
cleanup() {
  local rc=$? i apis=() silos=()
  set +e
  trap '' INT TERM # a second Ctrl-C must not cut the shutdown short
  (( CLEANING )) && return "$rc"
  CLEANING=1
  for i in "${!NAMES[@]}"; do
    alive "${PIDS[i]}" || continue
    case ${NAMES[i]} in clientapi-*) apis+=("${PIDS[i]}") ;; *) silos+=("${PIDS[i]}") ;; esac
  done
  # ClientApis first (they call the silos), then the silos, then their database.
  if (( ${#apis[@]} )); then say "stopping ClientApis"; stop_pids "${apis[@]}"; fi
  if (( ${#silos[@]} )); then say "stopping silos"; stop_pids "${silos[@]}"; fi
  if (( PG_STARTED )); then
    say "stopping PostgreSQL"
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" stop -m fast -w >/dev/null 2>&1
  fi
  for i in "${!NAMES[@]}"; do rm -f -- "$RUN_DIR/${NAMES[i]}.pid" "$RUN_DIR/${NAMES[i]}.restart"; done
  (( PG_STARTED )) && rm -f -- "$RUN_DIR/postgres.pid"
  [[ $(cat "$LOCK" 2>/dev/null) == "$$" ]] && rm -f -- "$LOCK"
  return "$rc"
}

# --- one run.sh per data folder; clear what a crashed earlier run left behind ----
if [[ -f $LOCK ]]; then
  other="$(cat "$LOCK")"
  if [[ $other =~ ^[0-9]+$ ]] && alive "$other" && [[ $(cmdline_of "$other") == *run.sh* ]]; then
    die "another run.sh (pid $other) is already using $DATA. Stop it first, or set MESSENGER_DATA to another folder."
  fi
fi
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP # terminal closed
echo "$$" >"$LOCK"

leftover=()
for f in "$RUN_DIR"/silo-*.pid "$RUN_DIR"/clientapi-*.pid; do
  [[ -f $f ]] || continue
  pid="$(cat "$f")"
  if [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" && [[ $(cmdline_of "$pid") == *Messenger.*.dll* ]]; then
    say "stopping $(basename "$f" .pid) (pid $pid) left running by an earlier run"
    leftover+=("$pid")
  fi
  rm -f -- "$f"
done
stop_pids "${leftover[@]+"${leftover[@]}"}"
rm -f -- "$RUN_DIR"/*.restart # restart requests meant for an earlier run

# Data folder ownership must match the user PostgreSQL runs as.
if [[ -d $PGDATA_DIR ]]; then
  if (( IS_ROOT )); then
    as_pg test -O "$PGDATA_DIR" || chown -R postgres: "$PGDATA_DIR"
  elif [[ ! -O $PGDATA_DIR ]]; then
    die "$PGDATA_DIR belongs to another user (created by a run as root?). Run as that user again, or: sudo chown -R $(id -un) $PGDATA_DIR"
  fi
fi

# A postgres still running on our data folder (earlier run killed hard): stop it,
# then start fresh below, so we always know what we started.
if [[ -f $PGDATA_DIR/PG_VERSION ]] && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
  say "PostgreSQL is already running on $PGDATA_DIR (left by an earlier run); restarting it"
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" stop -m fast -w >/dev/null
fi
rm -f -- "$RUN_DIR/postgres.pid"

# Fail early and clearly on ports something else holds (bash's /dev/tcp connects).
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
need_free() { # port variable
  if port_in_use "$1"; then die "port $1 is already in use; pick another with $2=..."; fi
}
need_free "$PG_PORT" MESSENGER_PG_PORT
for ((i = 0; i < SILOS; i++)); do
  need_free $((SILO_PORT + i)) MESSENGER_SILO_PORT
  need_free $((GATEWAY_PORT + i)) MESSENGER_GATEWAY_PORT
done
for ((i = 0; i < CLIENTAPIS; i++)); do need_free $((HTTP_PORT + i)) MESSENGER_HTTP_PORT; done


log_of() { if [[ $1 == postgres ]]; then echo "$PG_LOG"; else echo "$LOG_DIR/$1.log"; fi; }
show_tail() { # name
  local log
  log="$(log_of "$1")"
  printf '[run.sh] ---- last lines of %s ----\n' "$log" >&2
  tail -n 40 -- "$log" >&2 2>/dev/null || true
  printf '[run.sh] ----\n' >&2
}

# --- build ------------------------------------------------------------------------
SILO_DLL="$ROOT/Silo/bin/Release/net10.0/Messenger.Silo.dll"
API_DLL="$ROOT/ClientApi/bin/Release/net10.0/Messenger.ClientApi.dll"
say "building Messenger.sln (Release)"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
# Output goes to a log and is shown only when the build fails.
if ! dotnet build "$ROOT/Messenger.sln" -c Release -v q -nologo >"$LOG_DIR/build.log" 2>&1; then
  cat -- "$LOG_DIR/build.log" >&2
  die "build failed (errors above, also in $LOG_DIR/build.log); fix them and run ./run.sh again"
fi
for f in "$SILO_DLL" "$API_DLL"; do [[ -f $f ]] || die "build succeeded but $f is missing"; done

# --- PostgreSQL ---------------------------------------------------------------------
pg_quote() { local s=${1//\\/\\\\}; printf "'%s'" "${s//\'/\'\'}"; } # postgresql.conf string

if [[ ! -f $PGDATA_DIR/PG_VERSION ]]; then
  say "creating the database folder $PGDATA_DIR (first run)"
  mkdir -p -- "$PGDATA_DIR"
  [[ -z $(ls -A "$PGDATA_DIR") ]] ||
    die "$PGDATA_DIR is not empty but holds no database; move it away or set MESSENGER_DATA"
  chmod 700 "$PGDATA_DIR"
  (( IS_ROOT )) && chown postgres: "$PGDATA_DIR"
  # Trust auth: the server listens on 127.0.0.1 only and is a local dev database.
  as_pg "$PG_BIN/initdb" -D "$PGDATA_DIR" -U messenger --auth=trust -E UTF8 --no-locale \
    >"$LOG_DIR/initdb.log" 2>&1 || { show_tail initdb; die "initdb failed"; }
  echo "include_if_exists = 'run-settings.conf'" >>"$PGDATA_DIR/postgresql.conf"
fi

# Port and socket folder can change between runs, so they live in a file we rewrite
# each start (safer than pg_ctl -o, which goes through a shell, for odd paths).
mkdir -p -- "$SOCK_DIR"
touch "$PG_LOG"
if (( IS_ROOT )); then
  [[ $SOCK_DIR == /tmp ]] || chown postgres: "$SOCK_DIR"
  chown postgres: "$PG_LOG"
fi
cat >"$PGDATA_DIR/run-settings.conf" <<EOF
# Written by run.sh at every start; change MESSENGER_PG_PORT / MESSENGER_DATA instead.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = $(pg_quote "$SOCK_DIR")
# Each silo and ClientApi keeps a pool (Messenger:Postgres "Max Pool Size", 40 by default) plus
# the clustering provider's; the default 100 is exhausted by three processes under load.
max_connections = 400
# A fresh database has no used WAL segments to recycle, so until its first checkpoint PostgreSQL
# zero-fills every new 16 MB segment; at 4,000 sends/s that is one every ~5 s, and each showed as
# a 60-70 ms latency bump. Creating them unfilled removes it (ext4 and the like allocate on write).
wal_init_zero = off
EOF
(( IS_ROOT )) && chown postgres: "$PGDATA_DIR/run-settings.conf"

say "starting PostgreSQL on 127.0.0.1:$PG_PORT ($PG_BIN)"
PG_STARTED=1
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PG_LOG" -w -t 60 start >/dev/null ||
  { show_tail postgres; die "PostgreSQL did not start"; }
PG_PID="$(head -n 1 "$PGDATA_DIR/postmaster.pid")"
echo "$PG_PID" >"$RUN_DIR/postgres.pid"

psql_q() { # database, then psql arguments; quiet, tuples only, TCP
  local db=$1; shift
  PGCONNECT_TIMEOUT=3 "$PSQL" -X -q -t -A -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$PG_PORT" -U messenger -d "$db" "$@"
}
for ((i = 0; ; i++)); do
  psql_q postgres -c 'SELECT 1' >/dev/null 2>&1 && break
  (( i < 60 )) || { show_tail postgres; die "PostgreSQL does not accept connections"; }
  sleep 0.5
done
if [[ $(psql_q postgres -c "SELECT 1 FROM pg_database WHERE datname = 'messenger'") != 1 ]]; then
  say "creating database 'messenger'"
  psql_q postgres -c 'CREATE DATABASE messenger' >/dev/null
fi

# --- silos and ClientApis -------------------------------------------------------------
export Messenger__Postgres="Host=127.0.0.1;Port=$PG_PORT;Username=messenger;Database=messenger"
export Messenger__ClusterId="$CLUSTER_ID"
# Timestamps in the logs, so that what each process did after a failure can be lined up.
export Logging__Console__TimestampFormat="${Logging__Console__TimestampFormat:-HH:mm:ss.fff }"

start_proc() { # name dll [env assignments...] -- [args...]
  local name=$1 dll=$2 envs=() pid i slot=-1 log
  shift 2
  while (( $# )) && [[ $1 != -- ]]; do envs+=("$1"); shift; done
  (( $# )) && shift
  for i in "${!NAMES[@]}"; do [[ ${NAMES[i]} == "$name" ]] && slot=$i; done
  log="$LOG_DIR/$name.log"
  # A restart appends, so the log still shows how the previous run of it ended.
  if (( slot < 0 )); then : >"$log"; else printf '\n[run.sh] ---- restarted %s ----\n' "$(date -u +%FT%TZ)" >>"$log"; fi
  # Run from the dll's folder: the content root (appsettings.json) is the working
  # directory. exec keeps the pid, so $! is the dotnet process itself.
  (cd "$(dirname "$dll")" && exec env "${envs[@]}" dotnet "$dll" "$@") \
    >>"$log" 2>&1 </dev/null &
  pid=$!
  if (( slot < 0 )); then
    NAMES+=("$name"); PIDS+=("$pid"); REPORTED+=(0)
  else
    PIDS[slot]=$pid; REPORTED[slot]=0
  fi
  echo "$pid" >"$RUN_DIR/$name.pid"
  say "started $name (pid $pid), log: $log"
}

# Starts silo-<i> or clientapi-<i>; the one place that says how, so a restart through
# run/<name>.restart is the same process as the first start.
launch() { # name
  local name=$1 i=${1##*-}
  case $name in
    silo-*)
      start_proc "$name" "$SILO_DLL" \
        DOTNET_ENVIRONMENT=Production \
        Messenger__Silo__Name="$name" \
        Messenger__Silo__Address=127.0.0.1 \
        Messenger__Silo__SiloPort=$((SILO_PORT + i)) \
        Messenger__Silo__GatewayPort=$((GATEWAY_PORT + i)) -- ;;
    clientapi-*)
      start_proc "$name" "$API_DLL" \
        ASPNETCORE_ENVIRONMENT=Production \
        DOTNET_ENVIRONMENT=Production \
        Messenger__ClientApi__InstanceId="$name" \
        -- --urls "http://127.0.0.1:$((HTTP_PORT + i))" ;;
  esac
}

# Sets ACTIVE_PORTS (" p1 p2 ... ", the Active silos of this run) and SQL_ERROR.
# Table/columns are those of sql/0001_orleans_clustering.sql (orleans_cluster_silo;
# status 3 = Active). Only our ports and rows started by this run count, so stale
# rows of earlier runs or of silos on other machines do not.
# CHECK: keep in step with sql/0001_orleans_clustering.sql if it changes.
ACTIVE_PORTS=" "
SQL_ERROR=""
query_active_silos() {
  local out
  ACTIVE_PORTS=" "
  SQL_ERROR=""
  if out="$(psql_q messenger -v cid="$CLUSTER_ID" -v since="$SILOS_LAUNCHED_AT" 2>&1 <<EOF
SELECT DISTINCT port FROM orleans_cluster_silo
 WHERE cluster_id = :'cid' AND status = 3
   AND start_time >= to_timestamp(:since)
   AND port IN ($(IFS=,; echo "${SILO_PORTS[*]}"));
EOF
)"; then
    ACTIVE_PORTS=" $(echo "$out" | tr '\n' ' ') "
  else
    SQL_ERROR="$out" # e.g. the table does not exist until the first silo creates it
  fi
}
active_silo_count() {
  local ports=()
  query_active_silos
  read -ra ports <<<"$ACTIVE_PORTS"
  echo "${#ports[@]}"
}

api_ready() { # index
  [[ $(curl -s -o /dev/null -m 3 -w '%{http_code}' "http://127.0.0.1:$((HTTP_PORT + $1))/health/ready" || true) == 200 ]]
}

# Exit at once, with its log, if a process died during start-up.
check_started_alive() {
  local i rc
  for i in "${!NAMES[@]}"; do
    if ! alive "${PIDS[i]}"; then
      rc=0; wait "${PIDS[i]}" 2>/dev/null || rc=$?
      show_tail "${NAMES[i]}"
      die "${NAMES[i]} exited during start-up (exit code $rc)"
    fi
  done
  alive "$PG_PID" || { show_tail postgres; die "PostgreSQL exited during start-up"; }
}

DEADLINE=$((SECONDS + START_TIMEOUT))
# wait_for command... : poll until the command succeeds or the deadline passes.
wait_for() {
  until "$@"; do
    check_started_alive
    (( SECONDS < DEADLINE )) || return 1
    sleep 1
  done
}
first_silo_active() { (( $(active_silo_count) >= 1 )); }
all_silos_active() { (( $(active_silo_count) == SILOS )); }
all_apis_ready() {
  local i
  for ((i = 0; i < CLIENTAPIS; i++)); do api_ready "$i" || return 1; done
}

# After a timeout: say what was missing and show the logs of the guilty processes.
explain_timeout() {
  local i
  query_active_silos
  [[ -z $SQL_ERROR ]] || say "membership query failed: $SQL_ERROR"
  for ((i = 0; i < SILOS; i++)); do
    [[ $ACTIVE_PORTS == *" ${SILO_PORTS[i]} "* ]] || { say "silo-$i is not Active in the cluster"; show_tail "silo-$i"; }
  done
  for ((i = 0; i < CLIENTAPIS && APIS_STARTED; i++)); do
    api_ready "$i" || { say "clientapi-$i does not answer 200 on /health/ready"; show_tail "clientapi-$i"; }
  done
  die "the cluster was not healthy within ${START_TIMEOUT} s (MESSENGER_START_TIMEOUT)"
}

SILO_PORTS=()
APIS_STARTED=0
for ((i = 0; i < SILOS; i++)); do SILO_PORTS+=($((SILO_PORT + i))); done
SILOS_LAUNCHED_AT="$(date +%s)"
for ((i = 0; i < SILOS; i++)); do launch "silo-$i"; done

# ClientApis need a gateway to connect to (they retry anyway, but this keeps their
# logs free of start-up noise).
say "waiting for the first silo to become Active"
wait_for first_silo_active || explain_timeout

for ((i = 0; i < CLIENTAPIS; i++)); do launch "clientapi-$i"; done
APIS_STARTED=1

say "waiting for $SILOS active silo(s) and $CLIENTAPIS ready ClientApi(s) (up to ${START_TIMEOUT} s)"
wait_for all_silos_active || explain_timeout
wait_for all_apis_ready || explain_timeout

# --- running ----------------------------------------------------------------------------
echo
say "Messenger is running: cluster '$CLUSTER_ID', $SILOS silo(s), $CLIENTAPIS ClientApi(s)"
for ((i = 0; i < CLIENTAPIS; i++)); do
  url="http://127.0.0.1:$((HTTP_PORT + i))"
  say "  ClientApi $i:  $url    (OpenAPI: $url/openapi/v1.json)"
done
say "  PostgreSQL:   $PSQL -h 127.0.0.1 -p $PG_PORT -U messenger messenger"
say "  Logs:         $LOG_DIR"
say "  PIDs:         $RUN_DIR"
say "Press Ctrl-C to stop everything."

# Watch the processes. `sleep & wait` keeps Ctrl-C responsive. Once a second, so a
# requested restart (run/<name>.restart) follows quickly.
while :; do
  sleep 1 &
  wait $! || true
  running=0
  for i in "${!NAMES[@]}"; do
    if alive "${PIDS[i]}"; then running=$((running + 1)); continue; fi
    if (( ! REPORTED[i] )); then
      REPORTED[i]=1
      rc=0; wait "${PIDS[i]}" 2>/dev/null || rc=$?
      rm -f -- "$RUN_DIR/${NAMES[i]}.pid"
      show_tail "${NAMES[i]}"
      say "${NAMES[i]} (pid ${PIDS[i]}) exited with code $rc; the others keep running"
    fi
    if [[ -f $RUN_DIR/${NAMES[i]}.restart ]]; then
      rm -f -- "$RUN_DIR/${NAMES[i]}.restart"
      say "restarting ${NAMES[i]} (requested through $RUN_DIR/${NAMES[i]}.restart)"
      launch "${NAMES[i]}"
      running=$((running + 1))
    fi
  done
  if ! alive "$PG_PID"; then show_tail postgres; die "PostgreSQL stopped; stopping everything"; fi
  (( running > 0 )) || die "every silo and ClientApi has exited; stopping"
done
