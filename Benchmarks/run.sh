#!/usr/bin/env bash
# Easel's benchmarks (see BENCHMARKS.md): release build, then every figure next to a baseline measured in the same
# run on this machine. Everything listens on 127.0.0.1, every loop is bounded, and every process started here is
# stopped on exit (by its pid).
#
#   bash Benchmarks/run.sh                       # everything (~35–50 minutes on 2 cores)
#   STEPS="claim e2e" bash Benchmarks/run.sh     # some steps: baseline create create-pg claim e2e inflight
#
# Knobs (environment): DURATION (s per wrk run, 15), CONNS (64), THREADS (wrk threads, 2), DEPTHS ("0 10000 100000
# 1000000"), PG_DEPTHS ("0 100000"), E2E_TASKS (20000), INFLIGHT_TASKS (10000), UPSTREAM_DELAY_MS (30000), CLAIM_TASKS (1000000), CLAIMS
# (10000), IDLE_WINDOWS (0: more 10 s idle-CPU windows after the first, to see it settle), WRAP (a command prefix for `easel serve`, say `heaptrack -o FILE`), MAX_LOAD (1.5: wait before a measurement while the 1-minute load average is above it), MAX_WAIT (s, 120),
# OUT (results directory, .build-release/bench), SKIP_BUILD=1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=$ROOT/Benchmarks
export BENCH_DIR
DURATION=${DURATION:-15}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
DEPTHS=${DEPTHS:-"0 10000 100000 1000000"}
E2E_TASKS=${E2E_TASKS:-20000}
INFLIGHT_TASKS=${INFLIGHT_TASKS:-10000}
UPSTREAM_DELAY_MS=${UPSTREAM_DELAY_MS:-30000}
CLAIM_TASKS=${CLAIM_TASKS:-1000000}
CLAIMS=${CLAIMS:-10000}
MAX_LOAD=${MAX_LOAD:-1.5}
MAX_WAIT=${MAX_WAIT:-120}
IDLE_WINDOWS=${IDLE_WINDOWS:-0}
STEPS=${STEPS:-"baseline create create-pg claim e2e inflight"}
OUT=${OUT:-$ROOT/.build-release/bench}
BIN=${BIN:-$ROOT/.build-release/release}
EASEL_PORT=18080
BASELINE_PORT=18090
FAKE_PORT=18091
RUN_TAG=$(date +%s)

mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/easel-bench.XXXXXX)
RESULTS=$OUT/results.txt
: > "$RESULTS"
PIDS=()

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
record() { printf '%s\n' "$*" | tee -a "$RESULTS"; }

cleanup() {
  local pid
  for pid in "${PIDS[@]:-}"; do
    # Children first: with WRAP the pid is the wrapper's, and easel runs below it.
    [[ -n "$pid" ]] && { pkill -P "$pid" 2>/dev/null; kill "$pid" 2>/dev/null; } || true
  done
  sleep 1
  for pid in "${PIDS[@]:-}"; do
    [[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Root may raise the descriptor limit; 10,000 tasks in flight need >10,000 sockets in easel and in the fake.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true

# ---------------------------------------------------------------- tools and build
if ! command -v wrk >/dev/null; then
  log "installing wrk (Debian package)"
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
command -v sqlite3 >/dev/null || { apt-get install -y sqlite3 >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y sqlite3 >/dev/null; }; }

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  log "building release into .build-release (the first build takes 15–20 minutes)"
  (cd "$ROOT" && swift build -c release --scratch-path .build-release --product easel >&2 \
     && swift build -c release --scratch-path .build-release --product easel-bench >&2)
fi
[[ -x $BIN/easel && -x $BIN/easel-bench ]] || { echo "release binaries missing in $BIN" >&2; exit 1; }

# ---------------------------------------------------------------- helpers
port_free() { ! (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # port, seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "not listening: $1" >&2; return 1
}

wait_http() { # url, seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    curl -fs -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "not ready: $1" >&2; return 1
}

wait_quiet() { # waits while the 1-minute load is above MAX_LOAD (at most MAX_WAIT s); sets LOAD
  local waited=0
  while awk -v max="$MAX_LOAD" '{exit !($1 > max)}' /proc/loadavg && ((waited < MAX_WAIT)); do
    sleep 5; waited=$((waited + 5))
  done
  LOAD=$(cut -d' ' -f1 /proc/loadavg)
  ((waited > 0)) && log "waited ${waited}s for load ≤ $MAX_LOAD (now $LOAD)"
  return 0
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

EASEL_PID=""
start_easel() { # data dir, port, [config file]; extra environment from EASEL_ENV (array)
  local dir=$1 port=$2 config=${3:-}
  port_free "$port" || { echo "port $port is in use" >&2; exit 1; }
  mkdir -p "$dir"
  [[ -f $dir/keys.json ]] || env "${EASEL_ENV[@]}" "$BIN/easel" keys create --app-id 251007502 --data-dir "$dir" > "$dir/keys.json"
  local args=(serve --host 127.0.0.1 --port "$port" --data-dir "$dir")
  [[ -n $config ]] && args+=(--config "$config")
  # shellcheck disable=SC2086 # WRAP is a command prefix, split on purpose (say, `heaptrack -o FILE`).
  env "${EASEL_ENV[@]}" ${WRAP:-} "$BIN/easel" "${args[@]}" > "$dir/easel.log" 2>&1 &
  EASEL_PID=$!
  PIDS+=("$EASEL_PID")
  wait_http "http://127.0.0.1:$port/healthz" 60
}

stop_pid() {
  local pid=$1 i
  pkill -P "$pid" 2>/dev/null || true
  kill "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
}

key_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ApiKey"])' "$1/keys.json"; }
waiting() { sqlite3 "file:$1/easel.sqlite?mode=ro" "SELECT COALESCE(SUM(waiting),0) FROM queue_totals" 2>/dev/null || echo "?"; }

# wrk_run NAME SCRIPT URL [extra env...]: prints the RESULT fields as NAME.field=value lines.
wrk_run() {
  local name=$1 script=$2 url=$3; shift 3
  local output
  output=$(env "$@" THREADS="$THREADS" wrk -t"$THREADS" -c"$CONNS" -d"${WRK_DURATION:-${DURATION}}s" --timeout 30s \
             -s "$BENCH_DIR/wrk/$script" "$url" 2>&1) || { echo "$output" >&2; return 1; }
  echo "$output" > "$OUT/wrk-$name.txt"
  local fields
  fields=$(grep '^RESULT' <<< "$output" | sed 's/^RESULT //')
  [[ -n $fields ]] || { echo "$output" >&2; return 1; }
  local f
  for f in $fields; do record "$name.$f"; done
  if grep -q '^WRAPPED' <<< "$output"; then record "$name.wrapped=$(awk '/^WRAPPED/ {print $2}' <<< "$output")"; fi
}

field() { awk -F= -v k="$1" '$1 == k {v = $2} END {print v}' "$RESULTS"; }

max_seq() { sqlite3 "file:$1/easel.sqlite?mode=ro" "SELECT COALESCE(MAX(seq),0) FROM tasks" 2>/dev/null || echo 0; }

# wrk_capped NAME URL DIR COUNT ENV...: REST creates at full speed until COUNT more tasks exist in DIR's store, then
# wrk is interrupted (it would otherwise wait for its whole -d). LIMIT caps each wrk thread, so at most 2×CONNS
# tasks more than COUNT are created.
wrk_capped() {
  local name=$1 url=$2 dir=$3 count=$4; shift 4
  local target=$(( $(max_seq "$dir") + count )) pid i
  env "$@" LIMIT="$((count + 2 * CONNS))" THREADS="$THREADS" wrk -t"$THREADS" -c"$CONNS" -d1800s --timeout 30s \
    -s "$BENCH_DIR/wrk/rest_create.lua" "$url" > "$OUT/wrk-$name.txt" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  for ((i = 0; i < 18000; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    (( $(max_seq "$dir") >= target )) && break
    sleep 0.1
  done
  kill -INT "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# fill DIR PORT TARGET: creates REST tasks at full speed until TARGET are waiting.
fill() {
  local dir=$1 port=$2 target=$3 have need start elapsed
  have=$(waiting "$dir")
  need=$((target - have))
  ((need > 0)) || return 0
  log "filling the queue to $target waiting ($need creates)"
  start=$(date +%s.%N)
  wrk_capped "fill$target" "http://127.0.0.1:$port" "$dir" "$need" EASEL_KEY="$(key_of "$dir")" RUN="fill$RUN_TAG-$target"
  elapsed=$(echo "$(date +%s.%N) - $start" | bc)
  record "fill.$target.seconds=$elapsed"
  record "fill.$target.waiting=$(waiting "$dir")"
  record "fill.$target.creates_per_s=$(echo "scale=1; $need / $elapsed" | bc)"
  log "filled to $(waiting "$dir") waiting in ${elapsed}s"
}

# vod_requests DIR PORT COUNT FILE
vod_requests() {
  python3 "$BENCH_DIR/tc3_requests.py" --keys "$1/keys.json" --host "127.0.0.1:$2" --count "$3" \
    --tag "$RUN_TAG-$RANDOM$RANDOM" --out "$4"
}

VOD_COUNT=${VOD_COUNT:-300000}   # unique signed requests per VOD run (more than 15 s can use)

measure_rest() { # name dir port
  wait_quiet
  record "$1.load=$LOAD"
  record "$1.waiting_before=$(waiting "$2")"
  wrk_run "$1" rest_create.lua "http://127.0.0.1:$3" EASEL_KEY="$(key_of "$2")" RUN="$1$RUN_TAG"
  record "$1.waiting_after=$(waiting "$2")"
}

measure_vod() { # name dir port
  vod_requests "$2" "$3" "$VOD_COUNT" "$WORK/vod.txt"
  wait_quiet
  record "$1.load=$LOAD"
  record "$1.waiting_before=$(waiting "$2")"
  wrk_run "$1" vod_create.lua "http://127.0.0.1:$3" REQUESTS="$WORK/vod.txt" HOST_HEADER="127.0.0.1:$3"
  record "$1.waiting_after=$(waiting "$2")"
}

idle_cpu() { # name pid: % of one core over 10 s, after 5 s of settling; IDLE_WINDOWS more 10 s windows follow it
  sleep 5
  local hz before after i
  hz=$(getconf CLK_TCK)
  before=$(cpu_ticks "$2"); sleep 10; after=$(cpu_ticks "$2")
  record "$1.idle_cpu_pct=$(printf '%.2f' "$(echo "scale=4; ($after - $before) * 100 / $hz / 10" | bc)")"
  for ((i = 1; i <= IDLE_WINDOWS; i++)); do
    before=$after; sleep 10; after=$(cpu_ticks "$2")
    record "$1.idle_cpu_pct_$i=$(printf '%.2f' "$(echo "scale=4; ($after - $before) * 100 / $hz / 10" | bc)")"
  done
  record "$1.rss_mb=$(( $(rss_kb "$2") / 1024 ))"
}

record "machine.cores=$(nproc)"
record "machine.mem_gb=$(awk '/MemTotal/ {printf "%.1f", $2/1048576}' /proc/meminfo)"
record "machine.cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo | tr ' ' '_')"
record "machine.swift=$(swift --version 2>/dev/null | head -1 | tr ' ' '_')"
record "run.started=$(date -u +%FT%TZ)"

has_step() { [[ " $STEPS " == *" $1 "* ]]; }

# ---------------------------------------------------------------- the framework floor
baseline() { # suffix
  "$BIN/easel-bench" baseline-route --port "$BASELINE_PORT" > "$WORK/baseline.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  wait_port "$BASELINE_PORT" 30
  wait_quiet
  record "baseline$1.rest.load=$LOAD"
  wrk_run "baseline$1.rest" rest_create.lua "http://127.0.0.1:$BASELINE_PORT" EASEL_KEY=sk-easel-baseline RUN=base
  # The same signed requests as a VOD run (the route ignores them; same headers and bodies).
  mkdir -p "$WORK/basekeys"
  echo '{"SecretId":"AKIDbaseline","SecretKey":"baseline","SubAppId":251007502,"ApiKey":"x"}' > "$WORK/basekeys/keys.json"
  vod_requests "$WORK/basekeys" "$BASELINE_PORT" "$VOD_COUNT" "$WORK/vod.txt"
  wait_quiet
  record "baseline$1.vod.load=$LOAD"
  wrk_run "baseline$1.vod" vod_create.lua "http://127.0.0.1:$BASELINE_PORT" REQUESTS="$WORK/vod.txt" \
    HOST_HEADER="127.0.0.1:$BASELINE_PORT"
  stop_pid "$pid"
}

if has_step baseline; then
  log "baseline: bare Hummingbird route"
  baseline ""
fi

# ---------------------------------------------------------------- creates at depth (SQLite)
# Sandbox tasks sleep an hour and the app may run one at a time, so every create stays waiting. A depth below the
# largest gets a fresh data dir per dialect, so that one run's creates do not inflate the next run's depth.
if has_step create; then
  EASEL_ENV=(EASEL_RATE_LIMIT=0 EASEL_SANDBOX_LATENCY_MS=3600000 EASEL_DEFAULT_CONCURRENCY=1 EASEL_DRAIN_TIMEOUT_SECONDS=0)
  last=${DEPTHS##* }
  for depth in $DEPTHS; do
    for dialect in rest vod; do
      if [[ $depth != "$last" || $dialect == rest ]]; then
        [[ -n $EASEL_PID ]] && stop_pid "$EASEL_PID"
        rm -rf "$WORK/create"
        start_easel "$WORK/create" "$EASEL_PORT"
        fill "$WORK/create" "$EASEL_PORT" "$depth"
        if [[ $depth == "$last" || $depth == 0 ]] && [[ $dialect == rest ]]; then
          log "idle CPU at $(waiting "$WORK/create") waiting"
          record "idle.$depth.waiting=$(waiting "$WORK/create")"
          idle_cpu "idle.$depth" "$EASEL_PID"
        fi
      fi
      log "create $dialect at $(waiting "$WORK/create") waiting"
      "measure_$dialect" "create.$dialect.$depth" "$WORK/create" "$EASEL_PORT"
    done
  done
  record "create.rss_mb_at_end=$(( $(rss_kb "$EASEL_PID") / 1024 ))"
  record "create.db_mb_at_end=$(( $(stat -c %s "$WORK/create/easel.sqlite") / 1048576 ))"
  stop_pid "$EASEL_PID"; EASEL_PID=""
  rm -rf "$WORK/create"
fi

# ---------------------------------------------------------------- creates at depth (PostgreSQL)
# The same runs on a throwaway PostgreSQL cluster (Debian's postgresql package) in the work dir, reached over its
# unix socket. The queue is filled between depths like the SQLite runs; one data dir holds the keys.
PG_DEPTHS=${PG_DEPTHS:-"0 100000"}
PG_PORT=18432
PG_PID=""
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
pg_sql() { # sql
  runuser -u postgres -- "$(pg_bin)/psql" -h "$WORK/pg" -p "$PG_PORT" -U postgres -d easel -Atc "$1" 2>/dev/null
}
pg_waiting() { pg_sql "SELECT COALESCE(SUM(waiting),0) FROM queue_totals" || echo "?"; }
pg_max_seq() { pg_sql "SELECT COALESCE(MAX(seq),0) FROM tasks" || echo 0; }
start_pg() {
  if [[ -z $(pg_bin) ]]; then
    log "installing postgresql (Debian package)"
    apt-get install -y postgresql >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y postgresql >/dev/null; }
  fi
  id postgres >/dev/null 2>&1 || useradd --system --home "$WORK" postgres
  mkdir -p "$WORK/pg"; chown postgres "$WORK" "$WORK/pg"; chmod 755 "$WORK"
  runuser -u postgres -- "$(pg_bin)/initdb" -D "$WORK/pg/data" -U postgres -A trust -E UTF8 >/dev/null
  runuser -u postgres -- "$(pg_bin)/postgres" -D "$WORK/pg/data" -p "$PG_PORT" -k "$WORK/pg" -c listen_addresses='' \
    -c fsync=on -c synchronous_commit=on -c shared_buffers=512MB -c max_connections=200 > "$WORK/pg/log" 2>&1 &
  PG_PID=$!
  PIDS+=("$PG_PID")
  local i
  for ((i = 0; i < 300; i++)); do
    runuser -u postgres -- "$(pg_bin)/psql" -h "$WORK/pg" -p "$PG_PORT" -U postgres -Atc "SELECT 1" >/dev/null 2>&1 && break
    sleep 0.1
  done
  runuser -u postgres -- "$(pg_bin)/createdb" -h "$WORK/pg" -p "$PG_PORT" -U postgres easel
}

if has_step create-pg; then
  start_pg
  PG_URL="postgres://postgres@/easel?host=$WORK/pg&port=$PG_PORT"
  EASEL_ENV=(EASEL_STORE_URL="$PG_URL" EASEL_RATE_LIMIT=0 EASEL_SANDBOX_LATENCY_MS=3600000 EASEL_DEFAULT_CONCURRENCY=1
             EASEL_DRAIN_TIMEOUT_SECONDS=0)
  rm -rf "$WORK/create-pg"
  start_easel "$WORK/create-pg" "$EASEL_PORT"
  for depth in $PG_DEPTHS; do
    need=$((depth - $(pg_waiting)))
    if ((need > 0)); then
      log "filling the PostgreSQL queue to $depth waiting ($need creates)"
      start=$(date +%s.%N) target=$(( $(pg_max_seq) + need ))
      env EASEL_KEY="$(key_of "$WORK/create-pg")" RUN="pgfill$RUN_TAG-$depth" LIMIT="$((need + 2 * CONNS))" \
        THREADS="$THREADS" wrk -t"$THREADS" -c"$CONNS" -d1800s --timeout 30s -s "$BENCH_DIR/wrk/rest_create.lua" \
        "http://127.0.0.1:$EASEL_PORT" > "$OUT/wrk-pgfill$depth.txt" 2>&1 &
      fill_pid=$!
      PIDS+=("$fill_pid")
      for ((i = 0; i < 18000; i++)); do
        kill -0 "$fill_pid" 2>/dev/null || break
        (( $(pg_max_seq) >= target )) && break
        sleep 0.2
      done
      kill -INT "$fill_pid" 2>/dev/null || true; wait "$fill_pid" 2>/dev/null || true
      record "pgfill.$depth.seconds=$(echo "$(date +%s.%N) - $start" | bc)"
    fi
    record "idle.pg$depth.waiting=$(pg_waiting)"
    idle_cpu "idle.pg$depth" "$EASEL_PID"
    for dialect in rest vod; do
      name="create.pg$dialect.$depth"
      log "create $dialect on PostgreSQL at $(pg_waiting) waiting"
      [[ $dialect == vod ]] && vod_requests "$WORK/create-pg" "$EASEL_PORT" "$VOD_COUNT" "$WORK/vod.txt"
      wait_quiet
      record "$name.load=$LOAD"
      record "$name.waiting_before=$(pg_waiting)"
      if [[ $dialect == rest ]]; then
        wrk_run "$name" rest_create.lua "http://127.0.0.1:$EASEL_PORT" EASEL_KEY="$(key_of "$WORK/create-pg")" RUN="$name$RUN_TAG"
      else
        wrk_run "$name" vod_create.lua "http://127.0.0.1:$EASEL_PORT" REQUESTS="$WORK/vod.txt" HOST_HEADER="127.0.0.1:$EASEL_PORT"
      fi
      record "$name.waiting_after=$(pg_waiting)"
    done
  done
  stop_pid "$EASEL_PID"; EASEL_PID=""
  stop_pid "$PG_PID"; PG_PID=""
fi

# ---------------------------------------------------------------- claim latency (SQLiteStore directly)
if has_step claim; then
  for n in 0 "$CLAIM_TASKS"; do
    wait_quiet
    log "claim latency with $n waiting"
    record "claim.$n.load=$LOAD"
    json=$(TMPDIR=$WORK "$BIN/easel-bench" claim-latency --tasks "$n" --claims "$CLAIMS" --json)
    echo "$json" > "$OUT/claim-$n.json"
    python3 - "$n" "$json" <<'EOF' | while read -r line; do record "$line"; done
import json, sys
n, data = sys.argv[1], json.loads(sys.argv[2])
print(f"claim.{n}.load_seconds={data['load_seconds']:.1f}")
for part in ("claim", "empty_claim", "insert", "finish"):
    for k in ("p50_ms", "p99_ms", "max_ms"):
        print(f"claim.{n}.{part}.{k}={data[part][k]:.3f}")
EOF
  done
fi

# ---------------------------------------------------------------- end to end through the queue
e2e_config() { # file, concurrency (global, channel and app), [app concurrency]
  cat > "$1" <<EOF
{"scheduling": {"global_concurrency": $2, "default_concurrency": $2, "create_rate_limit": 0},
 "apps": [{"app_id": 251007502, "concurrency": ${3:-$2}}],
 "upstreams": [{"name": "fake", "provider": "openai-compatible", "base_url": "http://127.0.0.1:$FAKE_PORT",
                "models": ["GEM/3.0"], "options": {"model": "bench"}, "max_concurrency": $2,
                "timeout_seconds": 300, "max_attempts": 1}]}
EOF
}

count_status() { sqlite3 "file:$1/easel.sqlite?mode=ro" "SELECT status, COUNT(*) FROM tasks GROUP BY status" 2>/dev/null | tr '\n' ' '; }
finished_count() { sqlite3 "file:$1/easel.sqlite?mode=ro" \
  "SELECT COUNT(*) FROM tasks WHERE status IN ('succeeded','failed','aborted')" 2>/dev/null || echo 0; }

# wait_finished DIR N TIMEOUT: sets DONE_AT (epoch seconds) when N tasks are terminal.
wait_finished() {
  local deadline=$(( $(date +%s) + $3 )) n
  DONE_AT=""
  while (( $(date +%s) < deadline )); do
    n=$(finished_count "$1")
    if (( n >= $2 )); then DONE_AT=$(date +%s.%N); return 0; fi
    sleep 0.1
  done
  return 1
}

if has_step e2e; then
  "$BIN/easel-bench" fake-upstream --port "$FAKE_PORT" --delay-ms 0 > "$WORK/fake.log" 2>&1 &
  FAKE_PID=$!; PIDS+=("$FAKE_PID")
  wait_http "http://127.0.0.1:$FAKE_PORT/stats" 30
  wait_quiet
  record "e2e.fake_direct.load=$LOAD"
  log "fake upstream called directly"
  wrk_run "e2e.fake_direct" openai_fake.lua "http://127.0.0.1:$FAKE_PORT"
  stop_pid "$FAKE_PID"
  "$BIN/easel-bench" fake-upstream --port "$FAKE_PORT" --delay-ms 0 > "$WORK/fake.log" 2>&1 &
  FAKE_PID=$!; PIDS+=("$FAKE_PID")
  wait_http "http://127.0.0.1:$FAKE_PORT/stats" 30

  e2e_config "$WORK/e2e.json" 256
  EASEL_ENV=(EASEL_RATE_LIMIT=0)
  rm -rf "$WORK/e2e"
  start_easel "$WORK/e2e" "$EASEL_PORT" "$WORK/e2e.json"
  wait_quiet
  record "e2e.load=$LOAD"
  log "end to end: $E2E_TASKS tasks through the queue"
  start=$(date +%s.%N)
  wrk_capped "e2e.submit" "http://127.0.0.1:$EASEL_PORT" "$WORK/e2e" "$E2E_TASKS" \
    EASEL_KEY="$(key_of "$WORK/e2e")" RUN="e2e$RUN_TAG"
  submitted=$(date +%s.%N)
  sleep 0.5   # creates that were in flight when wrk was interrupted
  total=$(max_seq "$WORK/e2e")
  if wait_finished "$WORK/e2e" "$total" 600; then
    record "e2e.tasks=$total"
    record "e2e.submit_seconds=$(echo "$submitted - $start" | bc)"
    record "e2e.seconds=$(echo "$DONE_AT - $start" | bc)"
    record "e2e.tasks_per_s=$(echo "scale=1; $total / ($DONE_AT - $start)" | bc)"
  else
    record "e2e.timeout=1"
  fi
  record "e2e.statuses=$(count_status "$WORK/e2e" | tr ' |' '_:')"
  record "e2e.stored_files=$(find "$WORK/e2e/blobs" -type f | wc -l)"
  record "e2e.fake_stats=$(curl -fs "http://127.0.0.1:$FAKE_PORT/stats" | tr -d ' ')"
  record "e2e.rss_mb=$(( $(rss_kb "$EASEL_PID") / 1024 ))"
  stop_pid "$EASEL_PID"; EASEL_PID=""
  rm -rf "$WORK/e2e"

  # Drain: the same number of tasks queued first (app concurrency 0: nothing runs), then easel restarted with room
  # to run them; timed from the restart until all are finished. This is the queue → upstream → store → finish
  # pipeline alone, without the creates competing for the CPU and the SQLite writer.
  e2e_config "$WORK/hold.json" 256 0
  rm -rf "$WORK/drain"
  start_easel "$WORK/drain" "$EASEL_PORT" "$WORK/hold.json"
  log "drain: queueing $E2E_TASKS tasks that cannot run yet"
  wrk_capped "drain.submit" "http://127.0.0.1:$EASEL_PORT" "$WORK/drain" "$E2E_TASKS" \
    EASEL_KEY="$(key_of "$WORK/drain")" RUN="drain$RUN_TAG"
  sleep 0.5
  total=$(max_seq "$WORK/drain")
  stop_pid "$EASEL_PID"; EASEL_PID=""
  wait_quiet
  record "drain.load=$LOAD"
  start=$(date +%s.%N)
  start_easel "$WORK/drain" "$EASEL_PORT" "$WORK/e2e.json"
  if wait_finished "$WORK/drain" "$total" 600; then
    record "drain.tasks=$total"
    record "drain.seconds=$(echo "$DONE_AT - $start" | bc)"
    record "drain.tasks_per_s=$(echo "scale=1; $total / ($DONE_AT - $start)" | bc)"
  else
    record "drain.timeout=1"
  fi
  record "drain.statuses=$(count_status "$WORK/drain" | tr ' |' '_:')"
  record "drain.stored_files=$(find "$WORK/drain/blobs" -type f | wc -l)"
  record "drain.fake_stats=$(curl -fs "http://127.0.0.1:$FAKE_PORT/stats" | tr -d ' ')"
  stop_pid "$EASEL_PID"; EASEL_PID=""
  stop_pid "$FAKE_PID"
  rm -rf "$WORK/drain"
fi

# ---------------------------------------------------------------- 10,000 in flight on a slow upstream
if has_step inflight; then
  "$BIN/easel-bench" fake-upstream --port "$FAKE_PORT" --delay-ms "$UPSTREAM_DELAY_MS" --log "$WORK/answers.log" \
    > "$WORK/fake.log" 2>&1 &
  FAKE_PID=$!; PIDS+=("$FAKE_PID")
  wait_http "http://127.0.0.1:$FAKE_PORT/stats" 30
  # Room for the few creates past INFLIGHT_TASKS that wrk_capped may let through: every task runs at once.
  e2e_config "$WORK/inflight.json" "$((INFLIGHT_TASKS + 2 * CONNS))"
  EASEL_ENV=(EASEL_RATE_LIMIT=0)
  rm -rf "$WORK/inflight"
  start_easel "$WORK/inflight" "$EASEL_PORT" "$WORK/inflight.json"
  record "inflight.rss_mb_idle=$(( $(rss_kb "$EASEL_PID") / 1024 ))"
  wait_quiet
  record "inflight.load=$LOAD"
  log "in flight: $INFLIGHT_TASKS tasks on a ${UPSTREAM_DELAY_MS} ms upstream"
  # RSS sampler (bounded: stops when easel stops or after 15 minutes).
  ( peak=0; for ((i = 0; i < 1800; i++)); do
      r=$(awk '/^VmRSS/ {print $2}' "/proc/$EASEL_PID/status" 2>/dev/null) || break
      [[ -z $r ]] && break
      ((r > peak)) && peak=$r && echo "$peak" > "$WORK/rss_peak"
      sleep 0.5
    done ) &
  PIDS+=("$!")
  start=$(date +%s.%N)
  wrk_capped "inflight.submit" "http://127.0.0.1:$EASEL_PORT" "$WORK/inflight" "$INFLIGHT_TASKS" \
    EASEL_KEY="$(key_of "$WORK/inflight")" RUN="inflight$RUN_TAG"
  submitted=$(date +%s.%N)
  record "inflight.submit_seconds=$(echo "$submitted - $start" | bc)"
  sleep 0.5
  total=$(max_seq "$WORK/inflight")
  python3 "$BENCH_DIR/visibility.py" --base "http://127.0.0.1:$EASEL_PORT" --key "$(key_of "$WORK/inflight")" \
    --db "$WORK/inflight/easel.sqlite" --log "$WORK/answers.log" --sample "${VIS_SAMPLE:-300}" \
    --timeout $(( UPSTREAM_DELAY_MS / 1000 + 240 )) --json "$OUT/visibility.json" > "$WORK/vis.out" 2>&1 &
  VIS_PID=$!; PIDS+=("$VIS_PID")
  # The peak: every task running upstream at once.
  peak_deadline=$(( $(date +%s) + UPSTREAM_DELAY_MS / 1000 + 60 ))
  while (( $(date +%s) < peak_deadline )); do
    seen=$(curl -fs "http://127.0.0.1:$FAKE_PORT/stats" \
             | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["in_flight"] + d["requests"])' 2>/dev/null || echo 0)
    ((${seen:-0} >= total)) && break
    sleep 0.1
  done
  sleep 2
  record "inflight.tasks=$total"
  record "inflight.rss_mb_peak_running=$(( $(rss_kb "$EASEL_PID") / 1024 ))"
  record "inflight.fake_in_flight_at_peak=$(curl -fs "http://127.0.0.1:$FAKE_PORT/stats" | tr -d ' ')"
  record "inflight.running_in_db=$(sqlite3 "file:$WORK/inflight/easel.sqlite?mode=ro" "SELECT COUNT(*) FROM tasks WHERE status='processing'")"
  if wait_finished "$WORK/inflight" "$total" $(( UPSTREAM_DELAY_MS / 1000 + 300 )); then
    record "inflight.seconds=$(echo "$DONE_AT - $start" | bc)"
  else
    record "inflight.timeout=1"
  fi
  wait "$VIS_PID" || true
  cat "$WORK/vis.out" >&2
  python3 - "$OUT/visibility.json" <<'EOF' | while read -r line; do record "$line"; done
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print(f"inflight.visibility_error={type(e).__name__}"); sys.exit()
print(f"inflight.visibility.sample={d['sample']}")
print(f"inflight.visibility.seen={d['seen_finished']}")
for k, v in d["visibility_ms"].items():
    print(f"inflight.visibility.{k}_ms={v:.1f}")
print(f"inflight.visibility.polls_per_task={d['polls_per_task_mean']:.1f}")
EOF
  record "inflight.statuses=$(count_status "$WORK/inflight" | tr ' |' '_:')"
  record "inflight.rss_mb_peak_sampled=$(( $(cat "$WORK/rss_peak" 2>/dev/null || echo 0) / 1024 ))"
  record "inflight.rss_mb_hwm=$(( $(hwm_kb "$EASEL_PID") / 1024 ))"
  record "inflight.fake_stats=$(curl -fs "http://127.0.0.1:$FAKE_PORT/stats" | tr -d ' ')"
  stop_pid "$EASEL_PID"; EASEL_PID=""
  stop_pid "$FAKE_PID"
  rm -rf "$WORK/inflight"
fi

if has_step baseline && has_step create; then
  log "baseline again (drift check)"
  baseline ".end"
fi
record "run.finished=$(date -u +%FT%TZ)"

# ---------------------------------------------------------------- the table
python3 "$BENCH_DIR/report.py" "$RESULTS" | tee "$OUT/table.md"
