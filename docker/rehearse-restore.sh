#!/usr/bin/env bash
# Rehearses a volume-snapshot restore on real PD/TiKV containers, step by step, and stops with one clear
# message at the first thing that is not as expected. See README.md in this directory.
#
#   docker/rehearse-restore.sh                # every step, from a clean slate
#   docker/rehearse-restore.sh --pause        # wait for Enter before each step (read what it is about to do)
#   docker/rehearse-restore.sh --from 4       # resume at step 4 (state of earlier steps is kept in backup/)
#   docker/rehearse-restore.sh --clean        # remove the containers, volumes, backup/ and out/
#
# Needs: docker with the compose plugin (v2), curl, a mysql client, and the adviser jar built
# (mvn -B -pl phybr-adviser -am package -DskipTests, from the repository root).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

# Ports published on 127.0.0.1 by compose.yaml (DockerFilesTest checks the two files agree).
readonly PD_PORT=2379
readonly TIDB_PORT=4000
readonly PD="http://127.0.0.1:${PD_PORT}"
readonly STORES=(tikv1 tikv2 tikv3)
readonly VOLUMES=(pd0 tikv1 tikv2 tikv3)
readonly PROJECT=phybr            # compose.yaml's `name:`: volumes are phybr_<service>
readonly BUSYBOX=busybox:1.36.1
readonly ROWS=200                 # rows committed before the resolved ts; all of them must survive
readonly RECOVERY_LOG_LINE="TiKV running in Snapshot Recovery Mode"   # tikv components/server/src/server.rs

step() { printf '\n=== step %s: %s\n' "$1" "$2"; if [[ $pause == 1 ]]; then read -r -p "press Enter to run it, Ctrl-C to stop " _; fi; }
info() { printf '    %s\n' "$*"; }
die() { printf '\nrehearse-restore: STOPPED: %s\n' "$*" >&2; exit 1; }
trap 'die "command failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR

compose() { docker compose "$@"; }
sql() { mysql -h 127.0.0.1 -P "$TIDB_PORT" -u root --batch --skip-column-names "$@"; }

# wait_until SECONDS WHAT COMMAND…: polls COMMAND every 2 s; dies naming WHAT when it never succeeds.
wait_until() {
    local limit=$1 what=$2 start=$SECONDS
    shift 2
    until "$@" >/dev/null 2>&1; do
        if (( SECONDS - start >= limit )); then
            die "$what: not after ${limit}s"
        fi
        sleep 2
    done
    info "ok: $what ($((SECONDS - start))s)"
}

pd_healthy() { curl -sf "$PD/pd/api/v1/health" | grep -Eq '"health": ?true'; }
pd_has_leader() { curl -sf "$PD/pd/api/v1/leader" | grep -q '"name"'; }
stores_up() { [[ $(curl -sf "$PD/pd/api/v1/stores" | grep -Ec '"state_name": ?"Up"') -eq ${#STORES[@]} ]]; }
tidb_answers() { sql -e "SELECT 1"; }
marker() { curl -sf "$PD/pd/api/v1/admin/cluster/markers/snapshot-recovering"; }
in_recovery_mode() { compose logs --no-color "$1" 2>&1 | grep -q "$RECOVERY_LOG_LINE"; }

wait_for_pd() {
    # PD answers HTTP before it has elected itself leader; the admin API needs the leader.
    wait_until 120 "PD answers its health check on $PD" pd_healthy
    wait_until 60 "PD has a leader" pd_has_leader
}

prerequisites() {
    step 0 "prerequisites"
    local missing=()
    command -v docker >/dev/null || missing+=("docker")
    docker compose version >/dev/null 2>&1 || missing+=("the docker compose plugin (docker compose version)")
    command -v curl >/dev/null || missing+=("curl (Debian/Ubuntu: apt-get install curl)")
    command -v mysql >/dev/null || missing+=("a mysql client (Debian/Ubuntu: apt-get install default-mysql-client)")
    (( ${#missing[@]} == 0 )) || die "missing: $(printf '%s; ' "${missing[@]}")"
    docker info >/dev/null 2>&1 || die "cannot reach the Docker daemon (docker info fails): start it, or add yourself to the docker group"
    [[ -f ../phybr-adviser/target/phybr-adviser.jar ]] \
        || die "../phybr-adviser/target/phybr-adviser.jar is missing: run 'mvn -B -pl phybr-adviser -am package -DskipTests' in the repository root"
    # The adviser writes into ./out as the caller (compose.yaml: user: PHYBR_UID:PHYBR_GID). Creating it here,
    # as the caller, matters: a bind-mount source that does not exist is created by the daemon, owned by root.
    mkdir -p out backup
    [[ -w out ]] || die "./out is not writable by $(id -un); remove it (it may be root-owned from an earlier run)"
    export PHYBR_UID PHYBR_GID
    PHYBR_UID=$(id -u)
    PHYBR_GID=$(id -g)
    info "ok: tools found; the adviser will run as uid $PHYBR_UID gid $PHYBR_GID and write ./out"
}

build_image() {
    step 1 "build the adviser image (docker/Dockerfile; .dockerignore keeps the context to the jar)"
    compose --profile adviser build adviser
}

cluster_with_data() {
    step 2 "a cluster with data: PD + 3 TiKV + TiDB, $ROWS rows, the resolved ts"
    compose up -d pd0 "${STORES[@]}"
    wait_for_pd
    wait_until 180 "all ${#STORES[@]} TiKV stores are Up in PD" stores_up
    compose --profile sql up -d tidb
    wait_until 180 "TiDB answers on 127.0.0.1:$TIDB_PORT" tidb_answers
    sql -e "DROP DATABASE IF EXISTS t; CREATE DATABASE t; CREATE TABLE t.kv (k INT PRIMARY KEY, v VARCHAR(64))"
    local i values=()
    for ((i = 1; i <= ROWS; i++)); do values+=("($i,'before-$i')"); done
    sql -e "INSERT INTO t.kv VALUES $(IFS=,; echo "${values[*]}")"
    local tso
    tso=$(sql -e "SELECT TIDB_CURRENT_TSO()")
    [[ $tso =~ ^[0-9]+$ ]] || die "TIDB_CURRENT_TSO() answered '$tso', not a number"
    echo "$tso" > backup/resolved-ts
    info "ok: $ROWS rows committed; resolved ts $tso (saved in backup/resolved-ts)"
}

snapshots() {
    step 3 "\"volume snapshots\", one store at a time, while TiDB keeps writing"
    # Rows written from now on have commit ts > the resolved ts: recovery must delete every one of them.
    ( i=$((ROWS + 1)); while sql -e "INSERT INTO t.kv VALUES ($i,'after')" 2>/dev/null; do i=$((i + 1)); done ) &
    local writer=$!
    local v
    for v in "${VOLUMES[@]}"; do
        # pause = freeze the process: a crash-consistent copy, like a cloud snapshot, taken at its own instant.
        compose pause "$v"
        docker run --rm -v "${PROJECT}_$v:/from:ro" -v "$here/backup:/to" "$BUSYBOX" tar -C /from -cf "/to/$v.tar" .
        compose unpause "$v"
        info "ok: $v copied to backup/$v.tar"
        sleep 3   # the next store is copied later: the stores disagree, which is what the adviser is for
    done
    kill "$writer" 2>/dev/null || true
    wait "$writer" 2>/dev/null || true
    info "ok: $(sql -e 'SELECT COUNT(*) FROM t.kv') rows in TiDB when the writer stopped"
}

restore() {
    step 4 "restore the snapshots, mark PD snapshot-recovering, start the TiKVs in recovery mode"
    compose --profile sql stop tidb
    compose stop "${STORES[@]}" pd0
    local v
    for v in "${VOLUMES[@]}"; do
        [[ -s backup/$v.tar ]] || die "backup/$v.tar is missing or empty: run step 3 first"
        docker run --rm -v "${PROJECT}_$v:/to" -v "$here/backup:/from:ro" "$BUSYBOX" \
            sh -c "find /to -mindepth 1 -delete && tar -C /to -xf /from/$v.tar"
    done
    # PD must not trust its region cache, and a TiKV must not restart from its last config.
    docker run --rm -v "${PROJECT}_pd0:/d" "$BUSYBOX" rm -rf /d/pd0/region-meta
    for v in "${STORES[@]}"; do docker run --rm -v "${PROJECT}_$v:/d" "$BUSYBOX" rm -f "/d/$v/last_tikv.toml"; done
    compose up -d pd0
    wait_for_pd
    # The marker must be set BEFORE any TiKV starts: a TiKV reads it once, at boot.
    curl -sf -X POST "$PD/pd/api/v1/admin/cluster/markers/snapshot-recovering" >/dev/null \
        || die "PD refused to set the snapshot-recovering marker"
    marker | grep -Eq '"marked": ?true' || die "PD does not report the marker as set: $(marker || true)"
    info "ok: PD is marked snapshot-recovering"
    compose up -d "${STORES[@]}"
    for v in "${STORES[@]}"; do
        wait_until 120 "$v logged '$RECOVERY_LOG_LINE'" in_recovery_mode "$v"
    done
}

recover() {
    step 5 "recover: the adviser, a dry run first, then for real"
    [[ -s backup/resolved-ts ]] || die "backup/resolved-ts is missing: run step 2 first"
    local ts code
    ts=$(<backup/resolved-ts)
    compose --profile adviser run --rm adviser recover --pd pd0:2379 --dry-run --output /work/plan-dry-run.jsonl \
        || die "the dry run failed (exit $?): its message is above; nothing was changed"
    [[ -s out/plan-dry-run.jsonl ]] || die "the dry run wrote no plan to out/plan-dry-run.jsonl"
    info "ok: dry run planned $(wc -l < out/plan-dry-run.jsonl) commands (out/plan-dry-run.jsonl)"
    code=0
    compose --profile adviser run --rm adviser recover --pd pd0:2379 --resolved-ts "$ts" --expected-stores "${#STORES[@]}" \
        --output /work/plan.jsonl --summary-json /work/summary.json || code=$?
    case $code in
        0) info "ok: recovered (plan in out/plan.jsonl, summary in out/summary.json)" ;;
        3) die "the adviser refused the plan (exit 3): the diagnosis is above; nothing was sent to any store" ;;
        4) die "a phase timed out (exit 4): PD's scheduling was put back and the marker stays; rerun step 5" ;;
        5) die "a store or PD failed (exit 5): PD's scheduling was put back and the marker stays; rerun step 5" ;;
        *) die "the adviser exited $code: see its message above" ;;
    esac
    marker | grep -Eq '"marked": ?false' || die "the adviser exited 0 but PD still reports the marker: $(marker || true)"
}

back_to_normal() {
    step 6 "back to normal: restart the TiKVs, check the data at the resolved ts"
    local since v rows
    since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    compose restart "${STORES[@]}"
    wait_until 180 "all ${#STORES[@]} TiKV stores are Up in PD" stores_up
    for v in "${STORES[@]}"; do
        if compose logs --no-color --since "$since" "$v" 2>&1 | grep -q "$RECOVERY_LOG_LINE"; then
            die "$v started in recovery mode again: PD's marker was not removed"
        fi
    done
    compose --profile sql up -d tidb
    wait_until 180 "TiDB answers on 127.0.0.1:$TIDB_PORT" tidb_answers
    sql -e "ADMIN CHECK TABLE t.kv" || die "ADMIN CHECK TABLE t.kv failed: the table and its index disagree"
    rows=$(sql -e "SELECT COUNT(*) FROM t.kv WHERE k <= $ROWS AND v = CONCAT('before-', k)")
    [[ $rows == "$ROWS" ]] || die "$rows of the $ROWS rows committed before the resolved ts are there"
    rows=$(sql -e "SELECT COUNT(*) FROM t.kv WHERE k > $ROWS")
    [[ $rows == 0 ]] || die "$rows rows written after the resolved ts survived the recovery"
    info "ok: all $ROWS rows committed before the resolved ts are there, none written after it"
    printf '\nrehearse-restore: PASS\n'
}

clean() {
    compose --profile sql --profile adviser down -v
    rm -rf backup out
}

pause=0
from=0
while (( $# > 0 )); do
    case $1 in
        --pause) pause=1 ;;
        --from) [[ ${2:-} =~ ^[0-6]$ ]] || die "--from takes a step number 0-6"; from=$2; shift ;;
        --clean) clean; exit 0 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
    shift
done

prerequisites   # always: it exports the ids the adviser runs as
steps=(prerequisites build_image cluster_with_data snapshots restore recover back_to_normal)
for ((s = from > 0 ? from : 1; s < ${#steps[@]}; s++)); do
    "${steps[$s]}"
done
