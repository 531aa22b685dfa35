#!/usr/bin/env bash
# A Spark standalone cluster on 127.0.0.1 for the scale-out job: one master and N
# workers, each started with `spark-class` directly (no ssh, no sbin scripts),
# backgrounded in a session of its own; stopping a daemon stops the whole process tree
# under it (executors, their Python workers, their vigie processes). Pid files, logs and work
# dirs live in the run dir. Sized for a 2-core, 24 GB machine by default: each worker
# offers 1 core and 2560 MB to executors; the daemons get 512 MB heaps.
#
#   scripts/spark/cluster.sh start [--workers N] [--cores C] [--memory MB]
#   scripts/spark/cluster.sh status        # the master's view: workers, cores, apps (JSON)
#   scripts/spark/cluster.sh url           # spark://127.0.0.1:PORT
#   scripts/spark/cluster.sh kill-worker I # kill -9 worker I and everything under it (tests)
#   scripts/spark/cluster.sh stop          # TERM, then KILL after 20 s; no JVM left behind
#
# env: SPARK_RUN_DIR (default target/spark-cluster), SPARK_MASTER_PORT (7077),
#      SPARK_MASTER_WEBUI_PORT (8091), SPARK_VENV (.tools/venv-spark; scripts/setup-spark.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SPARK_ROOT"

RUN=${SPARK_RUN_DIR:-$SPARK_ROOT/target/spark-cluster}
PORT=${SPARK_MASTER_PORT:-7077}
UI_PORT=${SPARK_MASTER_WEBUI_PORT:-8091}
HOST=127.0.0.1
URL="spark://$HOST:$PORT"

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# the master's JSON view (workers, alive workers, cores, running apps), or nothing
master_json() {
    "$SPARK_VENV/bin/python" - "$UI_PORT" <<'PY' 2>/dev/null
import json, sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/json/", timeout=3) as r:
    print(json.dumps(json.load(r)))
PY
}

alive_workers() {
    master_json | "$SPARK_VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["aliveworkers"])' 2>/dev/null || echo 0
}

# starts `spark-class CLASS ARGS` in a session of its own, pid (= process group) in PIDFILE
daemon() {
    local pidfile=$1 log=$2
    shift 2
    setsid "$SPARK_HOME/bin/spark-class" "$@" >"$log" 2>&1 </dev/null &
    echo $! >"$pidfile"
}

start() {
    local workers=2 cores=1 memory=2560
    while [ $# -gt 0 ]; do
        case "$1" in
            --workers) workers=${2:?--workers needs a number}; shift 2 ;;
            --cores) cores=${2:?--cores needs a number}; shift 2 ;;
            --memory) memory=${2:?--memory needs megabytes}; shift 2 ;;
            *) echo "cluster: unknown argument: $1" >&2; usage >&2; exit 1 ;;
        esac
    done
    spark_env
    if alive "$RUN/master.pid"; then
        echo "cluster: already running ($URL, run dir $RUN): stop it first" >&2
        exit 1
    fi
    rm -rf "$RUN"
    mkdir -p "$RUN/logs" "$RUN/local"
    export SPARK_DAEMON_MEMORY=${SPARK_DAEMON_MEMORY:-512m}
    export SPARK_LOCAL_DIRS="$RUN/local" SPARK_NO_DAEMONIZE=1
    daemon "$RUN/master.pid" "$RUN/logs/master.log" org.apache.spark.deploy.master.Master \
        --host "$HOST" --port "$PORT" --webui-port "$UI_PORT"
    echo "$URL" >"$RUN/url"
    local i
    for ((i = 1; i <= workers; i++)); do
        mkdir -p "$RUN/work-$i"
        daemon "$RUN/worker-$i.pid" "$RUN/logs/worker-$i.log" org.apache.spark.deploy.worker.Worker \
            --host "$HOST" --cores "$cores" --memory "${memory}m" --webui-port 0 --work-dir "$RUN/work-$i" "$URL"
    done
    # the master first answers on its UI, then each worker registers with it
    local t
    for ((t = 0; t < 120; t++)); do
        if ! alive "$RUN/master.pid"; then
            echo "cluster: the master exited: see $RUN/logs/master.log" >&2
            tail -5 "$RUN/logs/master.log" >&2
            stop
            exit 1
        fi
        if [ "$(alive_workers)" -ge "$workers" ]; then
            echo "cluster: master $URL (UI http://$HOST:$UI_PORT/), $workers workers x $cores core(s), ${memory} MB each, ready after ${t}s"
            return 0
        fi
        sleep 1
    done
    echo "cluster: only $(alive_workers) of $workers workers registered after 120 s: see $RUN/logs/" >&2
    stop
    exit 1
}

# a daemon and everything under it: its process group, plus the descendants that left it
# (PySpark's daemon starts a group of its own for its Python workers and their vigie)
tree() {
    local root=$1
    ps -e -o pid=,ppid=,pgid= | awk -v root="$root" '
        { parent[$1] = $2; group[$1] = $3 }
        END {
            for (p in parent) {
                if (group[p] == root) { print p; continue }
                for (q = p; q in parent && q != 1 && q != 0; q = parent[q]) if (q == root) { print p; break }
            }
        }'
}

any_alive() {
    local p
    for p in "$@"; do
        kill -0 "$p" 2>/dev/null && return 0
    done
    return 1
}

# TERM a daemon's tree, KILL what is left after 20 s; quiet when it is already gone
stop_one() {
    local pidfile=$1 pid t pids
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    pids=$(tree "$pid")
    if [ -n "$pids" ]; then
        # shellcheck disable=SC2086
        kill -TERM $pids 2>/dev/null || true
        for ((t = 0; t < 40; t++)); do
            # shellcheck disable=SC2086
            any_alive $pids || break
            sleep 0.5
        done
    fi
    # what is left, and what the daemon started meanwhile (an executor launched as the
    # cluster stops), by group and by parent
    pids=$(tree "$pid")
    # shellcheck disable=SC2086
    [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
    rm -f "$pidfile"
}

stop() {
    local f
    for f in "$RUN"/worker-*.pid; do
        [ -e "$f" ] && stop_one "$f"
    done
    stop_one "$RUN/master.pid"
    echo "cluster: stopped"
}

kill_worker() {
    local i=${1:?kill-worker needs a worker number} pid pids
    [ -f "$RUN/worker-$i.pid" ] || { echo "cluster: no worker $i in $RUN" >&2; exit 1; }
    pid=$(cat "$RUN/worker-$i.pid")
    pids=$(tree "$pid" | tr '\n' ' ')
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    echo "cluster: killed worker $i with SIGKILL: the worker, its executor, their Python workers and vigie processes ($pids)"
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop) stop ;;
    status) master_json || { echo "cluster: no master answering on port $UI_PORT" >&2; exit 1; } ;;
    url) echo "$URL" ;;
    kill-worker) kill_worker "${2:-}" ;;
    -h | --help) usage ;;
    *) usage >&2; exit 1 ;;
esac
