#!/usr/bin/env bash
# bench-scaleout.sh measures what one `waybill serve` instance costs per unit
# of work: CPU seconds per 1,000 requests of each kind, for the Waybill
# process and, on PostgreSQL, for the PostgreSQL backends serving it (the
# database's share). From these figures docs/BENCHMARKS.md sizes a
# deployment of several instances on one PostgreSQL ("Scale-out").
#
#   scripts/bench-scaleout.sh [OUTPUT]      (default docs/benchmarks/scaleout.md)
#
# The kinds, each measured over its own load and the work it leaves behind:
#   create   POST /v4/trackings (slug dhl)
#   get      GET /v4/trackings/{id} of 200 trackings
#   list     GET /v4/trackings?limit=20 (the first page, newest first)
#   onport   an asynchronous Onport manual sale (3 lines, 2 vendors) accepted
#            and then processed: CPU from the first request to an empty backlog
#   poll     a carrier poll of a sandbox tracking (no network: the built-in
#            sandbox courier answers), counted from River's completed poll jobs;
#            the window also holds the creates of those trackings, whose cost
#            (from the create row) is subtracted
#   webhook  a webhook delivery to a loopback receiver (`waybill bench
#            webhooks`: 10 organizations x 10 endpoints, so each checkpoint
#            push makes 10 deliveries; the pushes' cost is included)
#
# CPU is user+system time from /proc: the server's process, and the
# PostgreSQL backends whose application_name is this benchmark's (other
# sessions on the same PostgreSQL, and its shared background writers, are
# left out). CPU seconds per request do not depend on how busy the machine
# is the way requests per second do.
#
# Environment: BENCH_DURATION (each load, default 10s), BENCH_CONCURRENCY
# (default 16), BENCH_SANDBOX_TRACKINGS (default 300), BENCH_ONPORT_RATE
# (async sales a second, default 200: the backlog must drain in the window),
# WAYBILL_BENCH_POSTGRES_URL (default the local test database).
# Needs go, curl, jq, psql and sqlite3.
set -euo pipefail

cd "$(dirname "$0")/.."
out=${1:-docs/benchmarks/scaleout.md}
duration=${BENCH_DURATION:-10s}
concurrency=${BENCH_CONCURRENCY:-16}
sandbox_trackings=${BENCH_SANDBOX_TRACKINGS:-300}
onport_rate=${BENCH_ONPORT_RATE:-200}
idle_secs=10
pg_url=${WAYBILL_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
command_line="BENCH_DURATION=$duration BENCH_CONCURRENCY=$concurrency BENCH_SANDBOX_TRACKINGS=$sandbox_trackings BENCH_ONPORT_RATE=$onport_rate scripts/bench-scaleout.sh${*:+ $*}"
app="waybill_scaleout_bench_$$"

for tool in go curl jq psql sqlite3; do
	command -v "$tool" >/dev/null || { echo "bench-scaleout: $tool is required" >&2; exit 1; }
done

tmp=$(mktemp -d)
pid=""
schema=""
bench_name=bench-scaleout
# shellcheck source=scripts/lib/bench.sh
. scripts/lib/bench.sh
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

echo "bench-scaleout: building" >&2
go build -o "$tmp/waybill" ./cmd/waybill
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
tick=$(getconf CLK_TCK)
key="wb_bench_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
run_id=$(date +%s)

# ticks PID...: "pid ticks" lines, user+system CPU of each live process.
ticks() {
	local p
	for p in "$@"; do
		awk -v p="$p" '{ sub(/.*\) /, ""); print p, $12 + $13 }' "/proc/$p/stat" 2>/dev/null || true
	done
}

# psql_retry ARGS...: psql, tried again while the shared server has no
# connection slot free (other sessions use the same PostgreSQL).
psql_retry() {
	local i
	for i in $(seq 40); do
		psql "$@" 2>"$tmp/psql.err" && return 0
		grep -q "too many clients" "$tmp/psql.err" || { cat "$tmp/psql.err" >&2; return 1; }
		sleep 0.5
	done
	cat "$tmp/psql.err" >&2
	return 1
}

# backends: the PIDs of this benchmark's PostgreSQL backends ($engine postgres only).
backends() {
	if [[ $engine == postgres ]]; then
		psql_retry -tA "$pg_url" -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$app'"
	fi
}

# window_start: remember the CPU of the server and of its backends.
window_start() {
	date +%s.%N >"$tmp/wall0"
	ticks "$pid" >"$tmp/server0"
	# shellcheck disable=SC2046
	ticks $(backends) >"$tmp/pg0"
}

# window_end KIND COUNT [MINUS_SERVER_S MINUS_PG_S]: CPU since window_start,
# less what is given and less the idle instance's CPU over the same wall
# time ($idle_server and $idle_pg, CPU seconds a second), per 1,000 of
# COUNT; appends a row to $tmp/rows-$engine.
window_end() {
	local kind=$1 count=$2 minus_server=${3:-0} minus_pg=${4:-0} server pg wall
	wall=$(echo "$(date +%s.%N) - $(cat "$tmp/wall0")" | bc -l)
	server=$(ticks "$pid" | awk -v t="$tick" 'NR == FNR { a[$1] = $2; next } { s += $2 - a[$1] } END { printf "%.2f", s / t }' "$tmp/server0" -)
	# A backend that started in the window counts from zero; one that
	# ended in it is lost (pgx keeps its connections, so few do).
	# shellcheck disable=SC2046
	pg=$(ticks $(backends) | awk -v t="$tick" 'NR == FNR { a[$1] = $2; next } { s += $2 - a[$1] } END { printf "%.2f", s / t }' "$tmp/pg0" -)
	server=$(echo "$server - $minus_server - $idle_server * $wall" | bc -l)
	pg=$(echo "$pg - $minus_pg - $idle_pg * $wall" | bc -l)
	echo "$kind $count $server $pg" >>"$tmp/rows-$engine"
	printf 'bench-scaleout: %s %s: %s x, server %.2f s, postgres %.2f s\n' "$engine" "$kind" "$count" "$server" "$pg" >&2
}

# per_k KIND FIELD: a kind's CPU seconds per 1,000 (FIELD 3 server, 4 postgres).
per_k() {
	awk -v k="$1" -v f="$2" '$1 == k { printf "%.3f", $f / $2 * 1000 }' "$tmp/rows-$engine"
}

# load NAME ARGS...: one `waybill bench` load, JSON in $tmp/NAME.json; prints
# the successful requests.
load() {
	local name=$1
	shift
	"$tmp/waybill" bench "$@" --json >"$tmp/$name.json"
	jq -r '.requests - .errors' "$tmp/$name.json"
}

sql() {
	if [[ $engine == postgres ]]; then
		psql_retry -qtA "$pg_url" -c "SET search_path TO $schema" -c "$1"
	else
		sqlite3 "${db#sqlite:}" "$1"
	fi
}

pending() {
	curl -fsS "$base/metrics" | awk '$1 == "waybill_inbound_pending" { print int($2) }'
}

sale_body() {
	printf '{"externalId":"%s-{{n}}","customer":{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com"},"lineItems":[{"externalId":"L1","name":"Mug","quantity":1,"price":9.5,"properties":[{"key":"vendor","value":"vendor-a"}]},{"externalId":"L2","name":"Tee","quantity":2,"price":15,"properties":[{"key":"vendor","value":"vendor-b"}]},{"externalId":"L3","name":"Cap","quantity":3,"price":12,"properties":[{"key":"vendor","value":"vendor-a"}]}],"shipping":[{"code":"std","name":"Standard","price":4}]}' "$1"
}

# bench_engine ENGINE DATABASE_URL: every kind on one engine.
bench_engine() {
	engine=$1 db=$2
	: >"$tmp/rows-$engine"
	settle "$pg_url"
	rm -f "$tmp/addr"
	env WAYBILL_ADDR=127.0.0.1:0 WAYBILL_ADDR_FILE="$tmp/addr" WAYBILL_DATABASE_URL="$db" WAYBILL_BOOTSTRAP_API_KEY="$key" \
		WAYBILL_RATE_LIMIT_SCALE=0 WAYBILL_RATE_LIMIT_V4=0 WAYBILL_LOG_LEVEL=warn WAYBILL_WEBHOOK_ALLOW_PRIVATE=true \
		WAYBILL_SANDBOX_STEP=1s "$tmp/waybill" serve 2>>"$tmp/serve-$engine.log" &
	pid=$!
	wait_ready "$tmp/addr" /readyz || { cat "$tmp/serve-$engine.log" >&2; return 1; }
	local loadargs=(--concurrency "$concurrency" --duration "$duration") n

	# Warm up first: the connection pools fill, so that no window pays
	# for opening PostgreSQL backends.
	echo "bench-scaleout: $engine warm-up" >&2
	load "$engine-warm" aftership --url "$base" --key "$key" --op create --concurrency "$concurrency" --duration 3s >/dev/null
	# An idle instance still works: River polls for jobs and elects a
	# leader. That fixed cost, per second, comes off every window.
	echo "bench-scaleout: $engine idle" >&2
	idle_server=0 idle_pg=0
	window_start
	sleep "$idle_secs"
	window_end idle "$idle_secs"
	idle_server=$(awk '$1 == "idle" { print $3 / $2 }' "$tmp/rows-$engine")
	idle_pg=$(awk '$1 == "idle" { print $4 / $2 }' "$tmp/rows-$engine")
	echo "bench-scaleout: $engine create" >&2
	window_start
	n=$(load "$engine-create" aftership --url "$base" --key "$key" --op create "${loadargs[@]}")
	window_end create "$n"

	echo "bench-scaleout: $engine get" >&2
	window_start
	# The get load creates its pool of 200 first; those creates are in
	# the window, and their cost (the create row's) comes off.
	n=$(load "$engine-get" aftership --url "$base" --key "$key" --op get --pool 200 "${loadargs[@]}")
	window_end get "$n" "$(echo "$(per_k create 3) / 5" | bc -l)" "$(echo "$(per_k create 4) / 5" | bc -l)"

	echo "bench-scaleout: $engine list" >&2
	window_start
	n=$(load "$engine-list" http --url "$base/v4/trackings?limit=20" --header "aftership-api-key: $key" --expect 200 "${loadargs[@]}")
	window_end list "$n"

	echo "bench-scaleout: $engine onport" >&2
	local ch channel_hash
	ch=$(curl -fsS -X POST "$base/v1/channels" -H "as-api-key: $key" -d '{"name":"bench"}')
	channel_hash=$(jq -r .webhook_hash <<<"$ch")
	window_start
	n=$(load "$engine-onport" http --url "$base/webhooks/custom-channels/manual-sale.json" --method POST --expect 200 \
		--header "jetti-webhook-hash: $channel_hash" --header 'Content-Type: application/json' \
		--body-template "$(sale_body "$run_id-$engine")" "${loadargs[@]}" --rate "$onport_rate")
	for _ in $(seq 1200); do
		[[ $(pending) == 0 ]] && break
		sleep 0.5
	done
	window_end onport "$n"

	echo "bench-scaleout: $engine poll" >&2
	local polls0 polls1 left
	polls0=$(sql "SELECT COUNT(*) FROM river_job WHERE kind = 'poll_tracking' AND state = 'completed'")
	window_start
	"$tmp/waybill" bench http --url "$base/v4/trackings" --method POST --expect 201 --header "aftership-api-key: $key" \
		--header 'Content-Type: application/json' --requests "$sandbox_trackings" --concurrency 8 --duration 10m \
		--body-template '{"tracking":{"slug":"sandbox","tracking_number":"SBXDELIVERED{{n}}"}}' --json >"$tmp/$engine-poll-create.json"
	# The journeys run on a 1 s step: wait until no sandbox poll is left.
	for _ in $(seq 600); do
		left=$(sql "SELECT COUNT(*) FROM trackings WHERE slug = 'sandbox' AND tag <> 'Delivered'")
		[[ $left == 0 ]] && break
		sleep 0.5
	done
	sleep 2
	polls1=$(sql "SELECT COUNT(*) FROM river_job WHERE kind = 'poll_tracking' AND state = 'completed'")
	window_end poll "$((polls1 - polls0))" "$(echo "$(per_k create 3) * $sandbox_trackings / 1000" | bc -l)" \
		"$(echo "$(per_k create 4) * $sandbox_trackings / 1000" | bc -l)"

	echo "bench-scaleout: $engine webhook" >&2
	local keys="" k i
	for i in $(seq 1 10); do
		k=$(env WAYBILL_DATABASE_URL="$db" "$tmp/waybill" org create "bench-$engine-$i" | jq -r .api_key)
		keys="$keys${keys:+,}$k"
	done
	window_start
	"$tmp/waybill" bench webhooks --url "$base" --keys "$keys" --rate 50 --duration "$duration" --json >"$tmp/$engine-webhook.json"
	window_end webhook "$(jq -r .deliveries_received "$tmp/$engine-webhook.json")"
	stop_server
}

bench_engine sqlite "sqlite:$tmp/sqlite/waybill.db"

schema="waybill_bench_$$_$RANDOM"
psql -q -v ON_ERROR_STOP=1 "$pg_url" -c "CREATE SCHEMA $schema" >/dev/null
if [[ $pg_url == *\?* ]]; then sep='&'; else sep='?'; fi
bench_engine postgres "$pg_url${sep}search_path=$schema&application_name=$app"
pg_version=$(psql -tA "$pg_url" -c 'SHOW server_version')
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

table=$(
	echo "| kind | SQLite: Waybill CPU s / 1,000 | PostgreSQL: Waybill CPU s / 1,000 | PostgreSQL: database CPU s / 1,000 | counted (SQLite / PostgreSQL) |"
	echo "|---|---:|---:|---:|---:|"
	echo "| idle instance (CPU s per 1,000 s of wall clock) | $(engine=sqlite; per_k idle 3) | $(engine=postgres; per_k idle 3) | $(engine=postgres; per_k idle 4) | ${idle_secs} s |"
	for kind in create get list onport poll webhook; do
		engine=sqlite
		s=$(per_k "$kind" 3)
		sn=$(awk -v k="$kind" '$1 == k { print $2 }' "$tmp/rows-sqlite")
		engine=postgres
		echo "| $kind | $s | $(per_k "$kind" 3) | $(per_k "$kind" 4) | $sn / $(awk -v k="$kind" '$1 == k { print $2 }' "$tmp/rows-postgres") |"
	done
)

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mkdir -p "$(dirname "$out")"
cat >"$out" <<REPORT
# Per-instance cost: CPU seconds per 1,000 requests

Measured by \`scripts/bench-scaleout.sh\`; \`docs/BENCHMARKS.md\` ("Scale-out") sizes a deployment from it.

- Date: $(date -u +%Y-%m-%dT%H:%MZ)
- Machine: $(nproc) CPUs ($cpu), $(uname -sr), $(go version | cut -d' ' -f3-), shared with other work
- PostgreSQL: $pg_version on the same machine
- Load average (1, 5, 15 min) before: $load_before; after: $load_after
- Command: \`$command_line\`

$table

The idle row is what an instance costs doing nothing, per 1,000 seconds (River's job fetching and
leader election, and the database answering them); it is taken off every other row at the
window's wall time, so the rows are the cost of the work alone. CPU is user+system time read
from /proc over each kind's window: the \`waybill serve\` process, and
on PostgreSQL the backends whose \`application_name\` is this run's (PostgreSQL's shared WAL writer,
checkpointer and background writer are not counted). CPU seconds per request hold up on a busy
machine better than requests per second do: other processes slow each request down but do not
add to its CPU time (cache and scheduler effects aside).

- **create**: \`POST /v4/trackings\` (slug dhl), $concurrency workers for $duration.
- **get**: \`GET /v4/trackings/{id}\` over 200 trackings; the load's own 200 creates come off
  at the create row's cost.
- **list**: \`GET /v4/trackings?limit=20\`.
- **onport**: an asynchronous manual sale accepted (200) and processed, $onport_rate sales/s for
  $duration, the window closing when the backlog is empty.
- **poll**: a poll job of a sandbox tracking on a 1 s step, counted from River's completed
  \`poll_tracking\` jobs; the sandbox answers without network, so a real carrier adds an HTTPS
  call; the $sandbox_trackings creates come off at the create row's cost.
- **webhook**: a delivery to \`waybill bench webhooks\`'s loopback receiver (100 endpoints,
  50 checkpoint pushes/s for $duration); each push makes 10 deliveries and its cost is included.
REPORT
echo "bench-scaleout: wrote $out" >&2
cat "$out"
