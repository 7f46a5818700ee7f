#!/usr/bin/env bash
# bench-api.sh measures Waybill's AfterShip v4 API — create and get by id —
# on SQLite and on PostgreSQL, each served by `waybill serve` as a separate
# process, and a bare net/http handler (`waybill bench baseline`) under the
# same load on the same machine, then writes a Markdown report.
#
#   scripts/bench-api.sh [OUTPUT]      (default docs/benchmarks/api.md)
#
# Environment:
#   BENCH_DURATION               each load's length (default 10s)
#   BENCH_CONCURRENCY            closed-loop workers (default 32)
#   WAYBILL_BENCH_POSTGRES_URL   PostgreSQL to use; a fresh schema is created
#                                and dropped (default postgres://postgres@127.0.0.1:5432/test?sslmode=disable)
#   BENCH_ENGINES                the engines to measure (default "sqlite postgres")
#   BENCH_OPS                    the operations to load (default "create get")
#   BENCH_BASELINE               0 skips the bare handler (no ratios then)
#   BENCH_BIN                    a waybill binary to measure instead of building this tree
#   BENCH_PROFILE_DIR            when set, a CPU profile of each Waybill load
#                                (from its second 2, for its length less 4 s)
#                                is written there as ENGINE-OP.pprof
#
# Besides req/s the report gives the server's CPU per request: its user +
# system time (/proc/PID/stat) over the load, divided by the requests
# answered; and, for create, the same counted until the server is idle
# again, so that work a create leaves behind (a poll due at once) counts.
# A get load first creates its pool of 1,000 trackings (`waybill bench
# aftership --op get`); its CPU is counted net of that: a pool-only run
# (--requests 1) just before it, on the same server, is subtracted. Every
# load starts once the server is idle (at most 10 % of a core over 2 s).
#
# Needs go, curl, jq and psql. Everything runs on loopback.
set -euo pipefail

cd "$(dirname "$0")/.."
out=${1:-docs/benchmarks/api.md}
duration=${BENCH_DURATION:-10s}
concurrency=${BENCH_CONCURRENCY:-32}
engines=${BENCH_ENGINES:-sqlite postgres}
ops=${BENCH_OPS:-create get}
with_baseline=${BENCH_BASELINE:-1}
profile_dir=${BENCH_PROFILE_DIR:-}
pg_url=${WAYBILL_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
command_line="BENCH_DURATION=$duration BENCH_CONCURRENCY=$concurrency${BENCH_ENGINES:+ BENCH_ENGINES=\"$engines\"}${BENCH_OPS:+ BENCH_OPS=\"$ops\"}${BENCH_BASELINE:+ BENCH_BASELINE=$with_baseline} scripts/bench-api.sh${*:+ $*}"

for tool in go curl jq psql; do
	command -v "$tool" >/dev/null || { echo "bench-api: $tool is required" >&2; exit 1; }
done

tmp=$(mktemp -d)
pid=""
schema=""
bench_name=bench-api
# shellcheck source=scripts/lib/bench.sh
. scripts/lib/bench.sh
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

if [[ -n ${BENCH_BIN:-} ]]; then
	cp "$BENCH_BIN" "$tmp/waybill"
else
	echo "bench-api: building" >&2
	go build -o "$tmp/waybill" ./cmd/waybill
fi
[[ -z $profile_dir ]] || mkdir -p "$profile_dir"
clk_tck=$(getconf CLK_TCK)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# How many synced 4 KiB writes a second this disk takes: the ceiling of
# SQLite creates, each of which waits for one.
disk_syncs=$(dd if=/dev/zero of="$tmp/dsync" bs=4k count=200 oflag=dsync 2>&1 |
	awk '/copied/ { for (i = 1; i <= NF; i++) if ($i == "s,") print int(200 / $(i-1)) }')
rm -f "$tmp/dsync"
key="wb_bench_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"

# load NAME ARGS...: run one load, keep its JSON in $tmp/NAME.json.
load() {
	local name=$1
	shift
	echo "bench-api: $name" >&2
	"$tmp/waybill" bench "$@" --concurrency "$concurrency" --duration "$duration" --json >"$tmp/$name.json"
	jq -r '"  \(.req_per_s | floor) req/s, p50 \(.p50_ms) ms, p99 \(.p99_ms) ms, \(.errors) errors \(.first_error // "")"' "$tmp/$name.json" >&2
}

# server_ticks: the server's ($pid) user + system CPU so far, in clock ticks.
server_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }

# idle_ticks: wait until the server is idle (2-second steps until one costs
# at most 10 % of a core, at most 60 s) and print its CPU ticks then.
idle_ticks() {
	local prev now
	prev=$(server_ticks)
	for _ in $(seq 30); do
		sleep 2
		now=$(server_ticks)
		((now - prev > clk_tck / 5)) || break
		prev=$now
	done
	server_ticks
}

# pool_ticks ARGS...: the server's CPU ticks for a get load's pool alone:
# the same command with one request.
pool_ticks() {
	local before
	before=$(server_ticks)
	"$tmp/waybill" bench "$@" --concurrency "$concurrency" --requests 1 --duration 1m --json >/dev/null
	echo $(($(server_ticks) - before))
}

# load_waybill ENGINE OP ARGS...: load the server in $pid with one op,
# profiling it when asked, and add its CPU per request to the JSON (a
# get's net of creating its pool, pool_ticks).
load_waybill() {
	local engine=$1 op=$2 before after idle prof_pid="" secs pool=0
	shift 2
	idle_ticks >/dev/null
	[[ $op != get ]] || pool=$(pool_ticks "$@")
	if [[ -n $profile_dir ]]; then
		secs=$(($(sed 's/s$//' <<<"$duration") - 4))
		((secs > 0)) || secs=1
		{ (sleep 2 && curl -fsS -o "$profile_dir/$engine-$op.pprof" "http://$pprof_addr/debug/pprof/profile?seconds=$secs") & }
		prof_pid=$!
	fi
	before=$(server_ticks)
	load "$engine-$op" "$@"
	after=$(server_ticks)
	idle=$after
	[[ $op != create ]] || idle=$(idle_ticks)
	[[ -z $prof_pid ]] || wait "$prof_pid" || echo "bench-api: no profile of $engine $op" >&2
	jq --argjson load "$((after - before - pool))" --argjson idle "$((idle - before - pool))" --argjson hz "$clk_tck" \
		'. + {cpu_us: (if .requests > 0 then $load / $hz * 1e6 / .requests | round else null end),
		      cpu_idle_us: (if .requests > 0 then $idle / $hz * 1e6 / .requests | round else null end)}' \
		"$tmp/$engine-$op.json" >"$tmp/$engine-$op.json.new"
	mv "$tmp/$engine-$op.json.new" "$tmp/$engine-$op.json"
	jq -r '"  server CPU \(.cpu_us) µs per request during the load, \(.cpu_idle_us) µs until idle"' "$tmp/$engine-$op.json" >&2
}

# bench_waybill ENGINE DATABASE_URL: serve, then load create and get.
bench_waybill() {
	local engine=$1 db=$2 op
	rm -f "$tmp/addr"
	pprof_addr=""
	# Below Linux's ephemeral ports (32768 on), which the loads' own
	# connections take.
	[[ -z $profile_dir ]] || pprof_addr=127.0.0.1:$((20000 + RANDOM % 12000))
	WAYBILL_ADDR=127.0.0.1:0 WAYBILL_ADDR_FILE="$tmp/addr" WAYBILL_DATABASE_URL="$db" WAYBILL_PPROF_ADDR="$pprof_addr" \
		WAYBILL_BOOTSTRAP_API_KEY="$key" WAYBILL_RATE_LIMIT_SCALE=0 WAYBILL_RATE_LIMIT_V4=0 \
		WAYBILL_LOG_LEVEL=warn "$tmp/waybill" serve 2>>"$tmp/serve-$engine.log" &
	pid=$!
	wait_ready "$tmp/addr" /readyz || { cat "$tmp/serve-$engine.log" >&2; return 1; }
	for op in $ops; do
		case $op in
		create) load_waybill "$engine" create aftership --url "$base" --key "$key" --op create ;;
		get) load_waybill "$engine" get aftership --url "$base" --key "$key" --op get --pool 1000 ;;
		*) echo "bench-api: unknown operation $op" >&2; return 1 ;;
		esac
	done
	stop_server
}

pg_version="not measured"
pg_sync="–"
for engine in $engines; do
	case $engine in
	sqlite) bench_waybill sqlite "sqlite:$tmp/sqlite/waybill.db" ;;
	postgres)
		schema="waybill_bench_$$_$RANDOM"
		psql -q -v ON_ERROR_STOP=1 "$pg_url" -c "CREATE SCHEMA $schema" >/dev/null
		if [[ $pg_url == *\?* ]]; then pg_schema_url="$pg_url&search_path=$schema"; else pg_schema_url="$pg_url?search_path=$schema"; fi
		bench_waybill postgres "$pg_schema_url"
		pg_version=$(psql -tA "$pg_url" -c 'SHOW server_version')
		pg_sync=$(psql -tA "$pg_url" -c 'SHOW synchronous_commit')
		;;
	*) echo "bench-api: unknown engine $engine" >&2; exit 1 ;;
	esac
done

# The baseline gets the same two loads: a POST of a create-sized body, and a GET.
if [[ $with_baseline != 0 ]]; then
	rm -f "$tmp/addr"
	"$tmp/waybill" bench baseline --addr 127.0.0.1:0 --addr-file "$tmp/addr" 2>>"$tmp/baseline.log" &
	pid=$!
	wait_ready "$tmp/addr" /
	for op in $ops; do
		case $op in
		create) load baseline-create http --url "$base/v4/trackings" --method POST --header 'Content-Type: application/json' \
			--body-template '{"tracking":{"slug":"dhl","tracking_number":"WB{{n}}","title":"bench"}}' --expect 200 ;;
		get) load baseline-get http --url "$base/v4/trackings/abc" --expect 200 ;;
		esac
	done
	stop_server
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# row ENGINE OP: one Markdown row, with the ratio to the baseline's same op.
row() {
	local engine=$1 op=$2 base_rps=0
	[[ ! -f $tmp/baseline-$op.json ]] || base_rps=$(jq -r .req_per_s "$tmp/baseline-$op.json")
	jq -r --arg engine "$engine" --arg op "$op" --argjson base "$base_rps" \
		'"| \($engine) | \($op) | \(.concurrency) | \(.req_per_s | round) | \(.p50_ms) | \(.p99_ms) | \(.errors) | \(.cpu_us // "–") | \(.cpu_idle_us // "–") | \(if $base > 0 then (.req_per_s / $base * 1000 | round / 10 | tostring) + " %" else "–" end) |"' \
		"$tmp/$engine-$op.json"
}

table=$(
	echo "| engine | operation | concurrency | req/s | p50 (ms) | p99 (ms) | errors | server CPU per request (µs) | until idle (µs) | ratio to baseline |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for engine in $engines baseline; do
		for op in $ops; do
			[[ ! -f $tmp/$engine-$op.json ]] || row "$engine" "$op"
		done
	done
)

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mkdir -p "$(dirname "$out")"
# Notes written by hand after the generated part ("## Profiles" on) are kept.
kept=""
if [[ -f $out ]]; then
	kept=$(sed -n '/^## Profiles/,$p' "$out")
fi
cat >"$out" <<REPORT
# AfterShip v4 API: throughput and latency

Measured by \`scripts/bench-api.sh\`; the figures of \`docs/BENCHMARKS.md\` come from here.

- Date: $(date -u +%Y-%m-%dT%H:%MZ)
- Machine: $(nproc) CPUs ($cpu), $(uname -sr), $(go version | cut -d' ' -f3-)
- PostgreSQL: $pg_version on the same machine, synchronous_commit=$pg_sync; SQLite: modernc.org/sqlite, WAL, synchronous=FULL
- Disk: ${disk_syncs:-?} synced 4 KiB writes/s (\`dd oflag=dsync\`)
- Load average (1, 5, 15 min) before: $load_before; after: $load_after (other work on the machine shows here)
- Command: \`$command_line\`
- Each load: $duration, closed loop, $concurrency workers with keep-alive connections (\`waybill bench\`)

$table

**create** is \`POST /v4/trackings\` with a new tracking number each time (slug \`dhl\`): 201.
**get** is \`GET /v4/trackings/{id}\` of one of 1,000 trackings created first, chosen at random: 200.
**baseline** is \`waybill bench baseline\`, a bare net/http handler answering 200 with a small JSON
body, loaded the same way (a POST of the same body, a GET); the ratio is Waybill's req/s over the
baseline's for the same operation. Latency counts successful requests only; errors are any other
status or a transport error. **server CPU per request** is the server process's user + system time
over the load divided by the requests answered (for get, net of creating its pool: a pool-only run
just before, on the same server, is subtracted); **until idle** counts on until the server is idle
again (creates only), so that work a create leaves to the queue counts too. Each load starts once
the server is idle (at most 10 % of a core over 2 s).

## How to read these figures

- **Two cores for everything.** The load generator, the server and PostgreSQL share the machine's
  $(nproc) CPUs, so every figure, the baseline's included, is lower than a dedicated server
  would give, and the baseline mostly measures how fast the generator and the kernel's loopback
  go. The ratio to the baseline is the meaningful number; the absolute req/s are this machine's.
  A load average well above the CPU count means other processes competed during the run.
- **SQLite create waits for fsync, shared.** The store opens SQLite with \`synchronous=FULL\` and a
  single writer connection, so that an acknowledged create survives a power cut (DESIGN.md:
  committed before acknowledged). Creates commit in groups (\`store.GroupCommitter\`): the
  creates that arrive while one transaction commits share the next one, as items of one batched
  write (their trackings, then their poll jobs, in a few statements for all), and each is
  answered once that transaction's WAL fsync is done. The disk line above was the ceiling of one
  create per fsync; with group commit, CPU is.
- **PostgreSQL create** is group-committed the same way, on a committer of its own: a batch of
  creates is five round trips (BEGIN, a read of the organizations' connections of the batch's
  couriers, one multi-row tracking insert, one job insert, COMMIT), with PostgreSQL on the same
  two CPUs.
- **get** is a read and needs no fsync; SQLite serves it from a pool of 8 read connections.
- Rate limits are off (\`WAYBILL_RATE_LIMIT_SCALE=0\`, \`WAYBILL_RATE_LIMIT_V4=0\`); with AfterShip's
  default of 10 requests/s per key, a single key could not load the server at all.
- Each create queues its poll job. The organization has no DHL connection, so the first poll
  (which could not ask the carrier) is applied at create and the job is the next poll, at its
  cadence (15 minutes on): the workers have none to run during the load.
REPORT
if [[ -n $kept ]]; then
	printf '\n%s\n' "$kept" >>"$out"
fi
echo "bench-api: wrote $out" >&2
cat "$out"
