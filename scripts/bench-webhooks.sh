#!/usr/bin/env bash
# bench-webhooks.sh measures webhook delivery: deliveries per second to a
# local receiver across 100 endpoints (10 organizations x 10), and the
# latency from a checkpoint push to the first delivery attempt of the event
# it caused, on SQLite and on PostgreSQL. Waybill runs as a separate process;
# the receiver is in the `waybill bench webhooks` process. Writes a Markdown
# report.
#
#   scripts/bench-webhooks.sh [OUTPUT]      (default docs/benchmarks/webhooks.md)
#
# Environment:
#   BENCH_RATE                   checkpoint pushes/s (default 50); each push
#                                causes 10 deliveries
#   BENCH_DURATION               how long to push (default 10s)
#   BENCH_WARMUP                 when set (e.g. 5s), push this long first, unmeasured, and
#                                wait for those deliveries: the latencies are then a
#                                warm server's, not a fresh one's first seconds (the
#                                server and database CPU columns, which would count the
#                                warm-up, are left out: "–")
#   BENCH_BACKLOG                when set (e.g. 3000), the backlog mode: push this many
#                                events (at BENCH_RATE; 10 deliveries each) to a server
#                                started with WAYBILL_WEBHOOK_WORKERS=0, which stores the
#                                deliveries and attempts none (an outage of delivery), stop
#                                it, start a server that delivers, and measure deliveries/s
#                                from the first delivery received to the last, with the
#                                server's, database's and receiver's CPU per delivery over
#                                that time: the delivery rate itself, whatever the rate at
#                                which the engine takes pushes (BENCH_DURATION, BENCH_WARMUP
#                                are not used)
#   BENCH_ENGINES                the engines to measure (default "sqlite postgres")
#   BENCH_SERVER_BIN             when set, the waybill binary to run as the server (another
#                                build, for an A/B pair); the bench client is this tree's, and
#                                so is the backlog mode's paused server
#   BENCH_PROFILE_DIR            when set, a CPU profile of each engine's server
#                                during the pushes and the first 5 s of the drain
#                                (backlog mode: the delivering server's first
#                                BENCH_PROFILE_SECONDS, default 10, from its start)
#                                is written there as webhooks-ENGINE.pprof
#                                (through WAYBILL_PPROF_ADDR on BENCH_PPROF_PORT,
#                                default 16060)
#   WAYBILL_BENCH_POSTGRES_URL   PostgreSQL to use; a fresh schema is created
#                                and dropped (default the local test database)
#   WAYBILL_WEBHOOK_WORKERS and other WAYBILL_* settings reach the server.
#
# Each engine's run starts after a settle (sync; on PostgreSQL a CHECKPOINT),
# so that a checkpoint of earlier work does not land in it; the report says
# what PostgreSQL's checkpointer did during the run.
#
# Server CPU is the server process's user + system time (/proc/PID/stat);
# database CPU is that of the PostgreSQL backends whose application_name is
# this run's (other sessions on the same PostgreSQL, and its shared
# background writers, are left out). Both are per delivery received.
#
# Needs go, curl, jq and psql. Everything runs on loopback.
set -euo pipefail

cd "$(dirname "$0")/.."
out=${1:-docs/benchmarks/webhooks.md}
rate=${BENCH_RATE:-50}
duration=${BENCH_DURATION:-10s}
engines=${BENCH_ENGINES:-sqlite postgres}
pg_url=${WAYBILL_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
backlog=${BENCH_BACKLOG:-}
command_line="BENCH_RATE=$rate${backlog:+ BENCH_BACKLOG=$backlog} BENCH_DURATION=$duration${BENCH_WARMUP:+ BENCH_WARMUP=$BENCH_WARMUP}${BENCH_SERVER_BIN:+ BENCH_SERVER_BIN=$BENCH_SERVER_BIN} scripts/bench-webhooks.sh${*:+ $*}"

for tool in go curl jq psql; do
	command -v "$tool" >/dev/null || { echo "bench-webhooks: $tool is required" >&2; exit 1; }
done

tmp=$(mktemp -d)
pid=""
schema=""
bench_name=bench-webhooks
# shellcheck source=scripts/lib/bench.sh
. scripts/lib/bench.sh
client=""
trail=""
# The backlog's client and the CPU trail, if a failure left them running.
trap '[[ -z $client ]] || kill "$client" 2>/dev/null; [[ -z $trail ]] || kill "$trail" 2>/dev/null; bench_cleanup' EXIT
trap 'exit 130' INT TERM

echo "bench-webhooks: building" >&2
go build -o "$tmp/waybill" ./cmd/waybill
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
ticks=$(getconf CLK_TCK)

# cpu_ticks: the user + system CPU ticks the server in $pid has used.
cpu_ticks() {
	# Fields 14 and 15 of /proc/PID/stat, counted after the command name,
	# which is in parentheses and may hold spaces.
	sed -E 's/^.*\) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }'
}

# backend_ticks: "PID TICKS" for each PostgreSQL backend of this run's
# server (application_name $app), none on SQLite.
app=waybill_bench_webhooks_$$
backend_ticks() {
	[[ $engine == postgres ]] || return 0
	local p
	for p in $(psql -tA "$pg_url" -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$app'"); do
		awk -v p="$p" '{ sub(/.*\) /, ""); print p, $12 + $13 }' "/proc/$p/stat" 2>/dev/null || true
	done
}

# checkpointer_stats: PostgreSQL's checkpoint counters on $pg_url (none on
# SQLite): checkpoints started (timed + requested), buffers the checkpointer
# wrote, and its write and sync time in ms.
checkpointer_stats() {
	[[ $engine == postgres ]] || return 0
	psql -XtA -F' ' "$pg_url" -c "SELECT checkpoints_timed + checkpoints_req, buffers_checkpoint, checkpoint_write_time::bigint, checkpoint_sync_time::bigint FROM pg_stat_bgwriter" 2>/dev/null || true
}

# checkpointer_delta BEFORE AFTER: what the checkpointer did between two
# checkpointer_stats, in words.
checkpointer_delta() {
	[[ -n $1 && -n $2 ]] || { echo "–"; return; }
	awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ")
		printf "%d checkpoints, %d buffers written, write %d ms, sync %d ms", y[1] - x[1], y[2] - x[2], y[3] - x[3], y[4] - x[4] }'
}

# spawn_server BIN [ENV...]: start BIN as the server on $db with ENV
# besides the bench's settings, its stderr appended to the engine's log;
# sets $pid and $spawned without waiting for it.
spawn_server() {
	local bin=$1
	shift
	rm -f "$tmp/addr"
	spawned=$(date +%s.%N)
	env WAYBILL_DATABASE_URL="$db" WAYBILL_WEBHOOK_ALLOW_PRIVATE=true WAYBILL_LOG_LEVEL=warn \
		WAYBILL_PPROF_ADDR="$pprof" WAYBILL_ADDR=127.0.0.1:0 WAYBILL_ADDR_FILE="$tmp/addr" "$@" \
		"$bin" serve 2>>"$tmp/serve-$engine.log" &
	pid=$!
}

# await_server: as a load balancer would, send nothing before /readyz
# answers 200 (on PostgreSQL serve warms its database connections first);
# the time from the start to then is the server's start time, polled every
# 0.1 s ($ready_s). Sets $base.
await_server() {
	wait_ready "$tmp/addr" /readyz || { cat "$tmp/serve-$engine.log" >&2; exit 1; }
	ready_s=$(awk -v a="$spawned" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
}

# create_keys: ten organizations on $db; sets $keys to their API keys.
create_keys() {
	keys=""
	for i in $(seq 1 10); do
		key=$(WAYBILL_DATABASE_URL="$db" "$tmp/waybill" org create "bench-$engine-$i" | jq -r .api_key)
		keys="$keys${keys:+,}$key"
	done
}

# start_trail: every half second, the time and the ticks of the server in
# $pid ("server") and of every PostgreSQL process by PID, into $tmp/trail,
# for the CPU of a stretch of the run (window_cpu); which PIDs are the
# run's backends is asked once at the end (psql takes seconds to start on
# a loaded machine).
start_trail() {
	while :; do
		now=$(date +%s.%N)
		echo "$now server $(cpu_ticks)"
		awk -v t="$now" 'FNR == 1 && $2 == "(postgres)" { sub(/.*\) /, ""); print t, FILENAME, $12 + $13 }' /proc/[0-9]*/stat 2>/dev/null || true
		sleep 0.5
	done >"$tmp/trail" &
	trail=$!
}

stop_trail() {
	kill "$trail"
	wait "$trail" 2>/dev/null || true
	trail=""
}

# window_cpu FROM TO RATE: "SERVER DB", the server's and this run's
# backends' ($tmp/pg1) CPU in µs per delivery between the trail's first
# sample in [FROM, TO] and its last, over the deliveries at RATE/s meanwhile
# ("– –" without two samples). Each backend counts from its first sample in
# the window to its last, so one that starts or ends meanwhile adds what
# it used while sampled, never less than nothing.
window_cpu() {
	awk -v from="$1" -v end="$2" -v hz="$ticks" -v rate="$3" '
		FILENAME == ARGV[1] { mine["/proc/" $1 "/stat"] = 1; next }
		$1 < from || $1 > end { next }
		$2 == "server" { if (!n++) { t0 = $1; s0 = $3 } t1 = $1; s1 = $3; next }
		$2 in mine { if (!($2 in first)) first[$2] = $3; last[$2] = $3 }
		END {
			if (n < 2 || rate <= 0) { print "– –"; exit }
			for (b in first) db += last[b] - first[b]
			d = (t1 - t0) * rate
			printf "%d %d", (s1 - s0) / hz * 1e6 / d, db / hz * 1e6 / d
		}' "$tmp/pg1" "$tmp/trail"
}

rows=()
ckpt_notes=()
for engine in $engines; do
	if [[ $engine == sqlite ]]; then
		db="sqlite:$tmp/bench.db"
	else
		schema="wbbench_$$_$RANDOM"
		psql -q -v ON_ERROR_STOP=1 "$pg_url" -c "CREATE SCHEMA $schema" >/dev/null
		if [[ $pg_url == *\?* ]]; then db="$pg_url&search_path=$schema"; else db="$pg_url?search_path=$schema"; fi
		db="$db&application_name=$app"
	fi
	# A checkpoint first (PostgreSQL), so that the previous phase's dirty
	# buffers and pending file syncs are written now and the next timed
	# checkpoint is checkpoint_timeout away: a checkpoint that syncs the
	# files of many relations created and dropped before (tests, other
	# benchmarks) stalls every commit for seconds, and it is no part of
	# delivering webhooks (docs/benchmarks/webhooks.md, session 12).
	if [[ $engine == postgres ]]; then settle "$pg_url"; else settle; fi
	pprof=""
	if [[ -n ${BENCH_PROFILE_DIR:-} ]]; then
		mkdir -p "$BENCH_PROFILE_DIR"
		pprof="127.0.0.1:${BENCH_PPROF_PORT:-16060}"
	fi
	if [[ -n $backlog ]]; then
		# The outage: a server that stores deliveries and attempts none
		# (this tree's build, which has WAYBILL_WEBHOOK_WORKERS=0, whatever
		# BENCH_SERVER_BIN is: only the delivering server is under test).
		spawn_server "$tmp/waybill" WAYBILL_WEBHOOK_WORKERS=0
		await_server
		create_keys
		rm -f "$tmp/pushed"
		"$tmp/waybill" bench webhooks --url "$base" --keys "$keys" --rate "$rate" --backlog "$backlog" \
			--pushed-file "$tmp/pushed" --drain 300s --json >"$tmp/result" &
		client=$!
		while [[ ! -e $tmp/pushed ]] && kill -0 "$client" 2>/dev/null; do sleep 0.1; done
		if [[ ! -e $tmp/pushed ]]; then
			wait "$client" || true
			client=""
			echo "bench-webhooks: $engine: the backlog's pushes did not finish" >&2
			exit 1
		fi
		paused_ready_s=$ready_s
		stop_server
		# Then a server that delivers, sampled from its start: the
		# backlog's claims begin before /readyz answers.
		ckpt0=$(checkpointer_stats)
		spawn_server "${BENCH_SERVER_BIN:-$tmp/waybill}"
		start_trail
		await_server
		profiler=""
		if [[ -n $pprof ]]; then
			curl -sf -o "$BENCH_PROFILE_DIR/webhooks-$engine.pprof" "http://$pprof/debug/pprof/profile?seconds=${BENCH_PROFILE_SECONDS:-10}" &
			profiler=$!
		fi
		wait "$client"
		client=""
		result=$(cat "$tmp/result")
		stop_trail
		backend_ticks >"$tmp/pg1"
		ckpt=$(checkpointer_delta "$ckpt0" "$(checkpointer_stats)")
		cpu=$(window_cpu "$(jq -r .first_delivery_unix <<<"$result")" "$(jq -r .last_delivery_unix <<<"$result")" \
			"$(jq -r '.backlog_deliveries_per_second // 0' <<<"$result")")
		server_us=${cpu% *}
		db_us=${cpu#* }
		if [[ $engine != postgres ]]; then db_us="–"; fi
		if [[ -n $profiler ]]; then wait "$profiler" || true; fi
		if [[ $(jq -r .failed_pushes <<<"$result") != 0 ]]; then tail -5 "$tmp/serve-$engine.log" >&2; fi
		echo "bench-webhooks: $engine: backlog: $result server_us=$server_us db_us=$db_us paused_ready_s=$paused_ready_s ready_s=$ready_s checkpointer=\"$ckpt\" load=$(cut -d' ' -f1-3 /proc/loadavg)" >&2
		rows+=("$(jq -r --arg e "$engine" --arg s "$server_us" --arg d "$db_us" --arg ready "$ready_s" \
			'"| \($e) | \(.events) | \(.deliveries_received)/\(.deliveries_expected) | \(.push_seconds * 10 | round / 10) | \(.failed_pushes) | \(.delivered_while_paused) | \($ready) | \((.drain_seconds // 0) * 10 | round / 10) | \((.backlog_deliveries_per_second // 0) | round) | \(.events_missing) | \($s) | \($d) | \((.drain_client_cpu_us_per_delivery // 0) | round) |"' <<<"$result")")
	else
		spawn_server "${BENCH_SERVER_BIN:-$tmp/waybill}"
		await_server
		create_keys
		profiler=""
		if [[ -n $pprof ]]; then
			secs=$((${duration%s} + 5)) # the pushes and the first seconds of the drain
			curl -sf -o "$BENCH_PROFILE_DIR/webhooks-$engine.pprof" "http://$pprof/debug/pprof/profile?seconds=$secs" &
			profiler=$!
		fi
		cpu_before=$(cpu_ticks)
		backend_ticks >"$tmp/pg0"
		ckpt0=$(checkpointer_stats)
		start_trail
		result=$("$tmp/waybill" bench webhooks --url "$base" --keys "$keys" --rate "$rate" --duration "$duration" \
			${BENCH_WARMUP:+--warmup "$BENCH_WARMUP"} --json)
		end=$(date +%s.%N)
		stop_trail
		cpu_after=$(cpu_ticks)
		backend_ticks >"$tmp/pg1"
		ckpt=$(checkpointer_delta "$ckpt0" "$(checkpointer_stats)")
		# The drain runs from the last push to the last delivery, which is
		# when the bench ended (span_seconds - push_seconds before its end).
		# Its CPU per delivery: the ticks between the trail's first sample in
		# it and its last, over the deliveries at the drain's rate meanwhile.
		drain_cpu=$(window_cpu "$(awk -v end="$end" -v d="$(jq -r '.span_seconds - .push_seconds' <<<"$result")" 'BEGIN { printf "%.6f", end - d }')" \
			"$end" "$(jq -r .drain_deliveries_per_second <<<"$result")")
		drain_server_us=${drain_cpu% *}
		drain_pg_us=${drain_cpu#* }
		if [[ $engine != postgres ]]; then drain_pg_us="–"; fi
		# A backend that started during the run counts from zero; pgx keeps
		# its connections (5 minutes idle), so few end during it.
		pg_ticks=$(awk 'NR == FNR { a[$1] = $2; next } { s += $2 - a[$1] } END { print s + 0 }' "$tmp/pg0" "$tmp/pg1")
		if [[ -n $profiler ]]; then wait "$profiler"; fi
		# The server's CPU (user + system) over the whole run, pushes included,
		# per delivery received.
		cpu_us=$(jq -r --argjson t "$((cpu_after - cpu_before))" --argjson hz "$ticks" \
			'if .deliveries_received > 0 then ($t / $hz * 1e6 / .deliveries_received | floor) else 0 end' <<<"$result")
		pg_us="–"
		if [[ $engine == postgres ]]; then
			pg_us=$(jq -r --argjson t "$pg_ticks" --argjson hz "$ticks" \
				'if .deliveries_received > 0 then ($t / $hz * 1e6 / .deliveries_received | floor) else 0 end' <<<"$result")
		fi
		if [[ -n ${BENCH_WARMUP:-} ]]; then cpu_us="–" pg_us="–"; fi
		echo "bench-webhooks: $engine: $result cpu_us_per_delivery=$cpu_us db_cpu_us_per_delivery=$pg_us drain_server_us=$drain_server_us drain_db_us=$drain_pg_us ready_s=$ready_s checkpointer=\"$ckpt\" load=$(cut -d' ' -f1-3 /proc/loadavg)" >&2
		rows+=("$(jq -r --arg e "$engine" --arg cpu "$cpu_us" --arg pg "$pg_us" --arg ds "$drain_server_us" --arg dp "$drain_pg_us" --arg ready "$ready_s" \
			'"| \($e) | \($ready) | \(.endpoints) | \(.events) | \(.deliveries_received)/\(.deliveries_expected) | \(.push_seconds * 10 | round / 10) | \(.deliveries_per_second | round) | \(.drain_deliveries_per_second | round) | \(.first_delivery_p50_ms * 10 | round / 10) | \(.first_delivery_p99_ms * 10 | round / 10) | \(.events_missing) | \($cpu) | \($pg) | \($ds) | \($dp) |"' <<<"$result")")
	fi
	if [[ $engine == postgres ]]; then ckpt_notes+=("$ckpt"); fi
	stop_server
	if [[ -n $schema ]]; then
		PGOPTIONS=--client-min-messages=warning psql -q "$pg_url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null
		schema=""
	fi
done

{
	echo "# Webhook delivery: throughput and push-to-delivery latency"
	echo
	echo "- Date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(go version | cut -d' ' -f3)"
	echo "- Load average (1, 5, 15 min) before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine shows here)"
	echo "- Command: \`$command_line\`"
	if [[ -n $backlog ]]; then
		echo "- Backlog mode: 10 organizations x 10 endpoints on one loopback receiver; $backlog checkpoint pushes"
		echo "  (at most $rate/s), each changing one tracking's tag (one tracking_update event, delivered to the 10"
		echo "  endpoints of its organization), to a server with WAYBILL_WEBHOOK_WORKERS=0; then that server is"
		echo "  stopped and one with the default settings started on the same database, which delivers the backlog."
		echo
		echo "| engine | events | deliveries | pushes took (s) | failed pushes | delivered while paused | delivering server ready after (s) | first to last delivery (s) | deliveries/s | events missing | server CPU per delivery (µs) | database CPU per delivery (µs) | receiver CPU per delivery (µs) |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
		printf '%s\n' "${rows[@]}"
		echo
		echo "Deliveries/s is the deliveries received after the first, over the time from the first delivery"
		echo "received to the last: the delivery rate from a backlog (claims from the deliveries table, no"
		echo "pushes meanwhile), whatever the rate at which the engine took the pushes. A failed push (no 2xx)"
		echo "adds no event (the script prints the servers' last log lines then). Delivered while paused"
		echo "must be 0. Server CPU per delivery is the delivering server's user + system time"
		echo "(/proc/PID/stat, sampled every 0.5 s) between the first and the last delivery, divided by the"
		echo "deliveries meanwhile; database CPU per delivery the same for the PostgreSQL backends whose"
		echo "application_name is the run's (not PostgreSQL's shared WAL writer and checkpointer); receiver"
		echo "CPU per delivery the bench process's own CPU from the end of the pushes to the last delivery,"
		echo "divided by the deliveries (it shares the 2 CPUs with the server)."
	else
		echo "- 10 organizations x 10 endpoints on one loopback receiver; $rate checkpoint pushes/s for $duration, each changing"
		echo "  one tracking's tag (one tracking_update event, delivered to the 10 endpoints of its organization)."
		echo
		echo "| engine | ready after (s) | endpoints | events | deliveries | pushes took (s) | deliveries/s | drain deliveries/s | push to first delivery p50 (ms) | p99 (ms) | events missing | server CPU per delivery (µs) | database CPU per delivery (µs) | drain: server CPU per delivery (µs) | drain: database CPU per delivery (µs) |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
		printf '%s\n' "${rows[@]}"
		echo
		echo "Ready after is the time from starting \`waybill serve\` to its first 200 on /readyz (polled every"
		echo "0.1 s); nothing is sent before it, as a load balancer would (PostgreSQL: serve warms its"
		echo "database connections before it answers, WAYBILL_DATABASE_WARMUP)."
		echo "Deliveries/s is deliveries received over the time from the first push to the last delivery."
		echo "Drain deliveries/s counts only what arrived after the last push, over the time to the last"
		echo "delivery: delivery alone, once the pushes stop (0 when no backlog was left)."
		echo "The latency runs from just before the push request is sent to the first delivery of its event"
		echo "reaching the receiver: commit, queue pick-up, signing and the POST. Server CPU per delivery is"
		echo "the server's user + system time (/proc/PID/stat) over the whole run, pushes included, divided"
		echo "by the deliveries. Database CPU per delivery is the same for the PostgreSQL backends whose"
		echo "application_name is the run's (the server's connections; not PostgreSQL's shared WAL writer"
		echo "and checkpointer). The drain columns are the same over the drain alone (from the last push"
		echo "to the last delivery, sampled every 0.5 s): the cost of delivering, without the pushes'."
	fi
	if [[ ${#ckpt_notes[@]} -gt 0 ]]; then
		echo
		echo "PostgreSQL's checkpointer during the client's run (backlog mode: while the delivering server ran; pg_stat_bgwriter; the run starts right after a"
		echo "CHECKPOINT, so a timed one should not reach it; the counters are the whole server's, and count a"
		echo "checkpoint when it ends): ${ckpt_notes[*]}."
	fi
} >"$out"
echo "bench-webhooks: wrote $out" >&2
