#!/usr/bin/env bash
# bench-scale.sh measures Waybill's reads at growing sizes: for each engine
# and each number of trackings it fills a fresh database with `waybill bench
# seed` (100 organizations), runs `waybill serve` on it as a separate
# process, and measures every kind of read with `waybill bench scale`, then
# writes a Markdown report with the growth table.
#
#   scripts/bench-scale.sh [OUTPUT]      (default docs/benchmarks/scale.md)
#
# Environment:
#   BENCH_SIZES                  numbers of trackings (default "10000 100000 1000000")
#   BENCH_ENGINES                engines (default "sqlite postgres")
#   BENCH_REQUESTS               calls of each kind (default 200)
#   BENCH_CONCURRENCY            calls of one kind in flight (default 4)
#   BENCH_WARMUP_CALLS           unmeasured calls of each HTTP kind (not the cursor walk or the
#                                replay) before its measured ones (default 0: measured from its
#                                first call, caches cold; `waybill bench scale --warmup`)
#   BENCH_ONLY                   names of the calls to measure, separated by ; (default all;
#                                `waybill bench scale --only`)
#   BENCH_DIR                    where the SQLite files and JSON results go (default a new
#                                folder under /tmp); the databases are deleted after each run
#                                unless BENCH_KEEP or BENCH_REUSE is set
#   BENCH_KEEP=1                 keep each seeded database: the SQLite file BENCH_DIR/sqlite-N.db,
#                                the PostgreSQL schema waybill_scale_N, and BENCH_DIR/ENGINE-N.seed.json
#   BENCH_REUSE=1                measure the database BENCH_KEEP kept (same BENCH_DIR) instead of
#                                seeding one, where it and its seed file exist; implies BENCH_KEEP
#   BENCH_RESPREAD=0             with BENCH_REUSE, leave the kept database's poll schedule as it is
#                                (by default the polls that came due since the seed are moved on
#                                by the time since the seed: see respread_polls)
#   BENCH_WEBHOOK_SINK=0         no webhook receiver: the seed's endpoints (127.0.0.1:9) refuse every
#                                delivery, which the server then retries for days (by default
#                                `waybill bench sink` answers them with 200 there, and the
#                                server is allowed to deliver to loopback)
#   (each run also writes BENCH_DIR/ENGINE-N.timeline.jsonl: every call's kind, start and duration,
#   to set a slow call beside what the server did then; `waybill bench scale --timeline`)
#   BENCH_PORT                   the server's port (default a free one the kernel picks)
#   BENCH_PPROF_PORT             serve the server's Go profiles on this port (WAYBILL_PPROF_ADDR;
#                                default none)
#   BENCH_SERVE_ENV              more VAR=value settings for the server only, separated by spaces
#                                (e.g. GODEBUG=gctrace=1: its lines go to BENCH_DIR/ENGINE-N.serve.log)
#   BENCH_SCHEMA                 prefix of the kept PostgreSQL schemas (default waybill_scale:
#                                waybill_scale_N)
#   WAYBILL_BENCH_POSTGRES_URL   PostgreSQL to use; a fresh schema is created and dropped
#                                (default postgres://postgres@127.0.0.1:5432/test?sslmode=disable)
#
# Re-measuring kept databases without seeding them again, e.g. the million:
#   BENCH_DIR=/work/scale-dbs BENCH_REUSE=1 BENCH_SIZES=1000000 scripts/bench-scale.sh
#
# Needs go, curl, jq and psql. Everything runs on loopback.
set -euo pipefail

cd "$(dirname "$0")/.."
out=${1:-docs/benchmarks/scale.md}
sizes=${BENCH_SIZES:-10000 100000 1000000}
engines=${BENCH_ENGINES:-sqlite postgres}
requests=${BENCH_REQUESTS:-200}
concurrency=${BENCH_CONCURRENCY:-4}
warmup=${BENCH_WARMUP_CALLS:-0}
only=${BENCH_ONLY:-}
pg_url=${WAYBILL_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
reuse=${BENCH_REUSE:-}
respread=${BENCH_RESPREAD:-1}
sink=${BENCH_WEBHOOK_SINK:-1}
schema_prefix=${BENCH_SCHEMA:-waybill_scale}
app_name=bench-scale-serve-$$
[[ $schema_prefix =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "bench-scale: BENCH_SCHEMA must be a lower-case SQL name" >&2; exit 1; }
keep=${BENCH_KEEP:-$reuse}
extra_env=""
[[ -n $reuse && $respread != 1 ]] && extra_env+=" BENCH_RESPREAD=$respread"
[[ $schema_prefix != waybill_scale ]] && extra_env+=" BENCH_SCHEMA=$schema_prefix"
[[ $sink != 1 ]] && extra_env+=" BENCH_WEBHOOK_SINK=$sink"
[[ $warmup != 0 ]] && extra_env+=" BENCH_WARMUP_CALLS=$warmup"
command_line="BENCH_SIZES=\"$sizes\" BENCH_ENGINES=\"$engines\" BENCH_REQUESTS=$requests BENCH_CONCURRENCY=$concurrency${only:+ BENCH_ONLY=\"$only\"}${reuse:+ BENCH_REUSE=1}${extra_env}${keep:+ BENCH_KEEP=1} scripts/bench-scale.sh${*:+ $*}"

for tool in go curl jq psql; do
	command -v "$tool" >/dev/null || { echo "bench-scale: $tool is required" >&2; exit 1; }
done

dir=${BENCH_DIR:-$(mktemp -d /tmp/waybill-scale.XXXXXX)}
mkdir -p "$dir"
tmp=$dir
pid=""
schema=""
db_file=""
bench_name=bench-scale
# shellcheck source=scripts/lib/bench.sh
. scripts/lib/bench.sh
keep_tmp=1 # the seeded databases stay in $dir unless the run removes them
sink_pid=""
trap 'bench_cleanup; [[ -z $sink_pid ]] || kill "$sink_pid" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM

echo "bench-scale: building; results in $dir" >&2
go build -o "$dir/waybill" ./cmd/waybill

# The seed's webhook endpoints are http://127.0.0.1:9/hooks/ORG: a receiver
# there answers their deliveries (the replay's, the expiry sweep's) as a
# working endpoint would. Another run's receiver may hold the port already.
serve_env=()
if [[ $sink == 1 ]]; then
	if ! curl -fsS -o /dev/null -X POST http://127.0.0.1:9/hooks/0 2>/dev/null; then
		"$dir/waybill" bench sink --addr 127.0.0.1:9 2>>"$dir/webhook-sink.log" &
		sink_pid=$!
		for _ in $(seq 50); do curl -fsS -o /dev/null -X POST http://127.0.0.1:9/hooks/0 2>/dev/null && break; sleep 0.1; done
	fi
	serve_env=(WAYBILL_WEBHOOK_ALLOW_PRIVATE=true)
fi

# sql ENGINE DB STATEMENT: run one statement on DB, the SQLite file or the
# PostgreSQL schema, and print its result.
sql() {
	if [[ $1 == sqlite ]]; then
		"$dir/waybill" bench sql --database-url "sqlite:$2" "$3"
	else
		PGOPTIONS="-c search_path=$2" psql -X -q -tA -v ON_ERROR_STOP=1 "$pg_url" -c "$3"
	fi
}

# respread_polls ENGINE DB SEED_FILE: on a kept database (DB as for sql), move every poll
# that came due between the seed and now on by the time since the seed.
# The seed schedules each active tracking's next poll within the 6 hours
# after its present (store.Seed), about 170 a minute at a million; a
# database measured hours later holds them all due at once, and the server
# works that backlog (20 polls at a time) through the whole measurement,
# where a server that had been running would meet them as they come due.
# Moved on, they come due at the seed's rate again from now. On
# PostgreSQL the tables are vacuumed afterwards (the seed vacuums too;
# autovacuum is off on the shared benchmark server), so that the moved
# rows' pages are all-visible again as the seed left them.
respread_polls() {
	local engine=$1 db=$2 seed_file=$3 now seed_now moved
	now=$(date +%s%6N)
	seed_now=$(($(date -d "$(jq -r .now "$seed_file")" +%s) * 1000000))
	moved=$(sql "$engine" "$db" "UPDATE poll_schedule SET due = due + $((now - seed_now))
		WHERE due >= $seed_now AND due <= $now RETURNING 1" | wc -l)
	if [[ $engine == postgres ]]; then
		sql "$engine" "$db" "VACUUM poll_schedule" >/dev/null
		sql "$engine" "$db" "VACUUM trackings" >/dev/null
	fi
	echo "bench-scale: moved $moved polls due since the seed on by $(((now - seed_now) / 1000000)) s" >&2
}

# resident ENGINE DB: the share (%) of the database's files (the SQLite
# file with its WAL; the PostgreSQL schema's tables with their indexes
# and TOAST) that is in the OS page cache, by fincore; "?" without it. A
# list call at a million reads about a hundred rows, each on a page of its
# own: where those pages are not in memory the call waits for the disk,
# so the figures depend on what the machine's other work left cached.
resident() {
	local files
	command -v fincore >/dev/null || { echo "?"; return; }
	if [[ $1 == sqlite ]]; then
		files=$(ls "$2" "$2-wal" 2>/dev/null || true) # the WAL may be absent
	else
		local data
		data=$(psql -X -tA "$pg_url" -c "SHOW data_directory" 2>/dev/null) || { echo "?"; return; }
		files=$(sql "$1" "$2" "SELECT pg_relation_filepath(c.oid) FROM pg_class c
			WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'i', 't')" |
			while read -r f; do ls "$data/$f" "$data/$f".[0-9]* 2>/dev/null || true; done)
		[[ -n $files ]] && [[ -r $(head -1 <<<"$files") ]] || { echo "?"; return; }
	fi
	# shellcheck disable=SC2086 # one file a word
	fincore -b -n -o RES,SIZE $files | awk '{ r += $1; s += $2 } END { if (s > 0) printf "%.0f\n", 100 * r / s; else print "?" }'
}

# due_polls ENGINE DB: the polls due now.
due_polls() {
	sql "$1" "$2" "SELECT COUNT(*) FROM poll_schedule WHERE due <= $(date +%s%6N)"
}

# run ENGINE N: seed N trackings (or, with BENCH_REUSE, take the kept
# database), serve, measure, stop, delete the database unless it is kept.
run() {
	local engine=$1 n=$2 db name=$1-$2 port exists="" sql_db
	if [[ $engine == sqlite ]]; then
		db_file="$dir/$name.db"
		[[ -n $reuse && -f $db_file && -s $dir/$name.seed.json ]] && exists=1
		[[ -z $exists ]] && rm -f "$db_file" "$db_file-wal" "$db_file-shm"
		db="sqlite:$db_file"
	else
		if [[ -n $keep ]]; then schema="${schema_prefix}_$n"; else schema="${schema_prefix}_$$_$RANDOM"; fi
		if [[ -n $reuse && -s $dir/$name.seed.json ]] &&
			[[ $(psql -tA "$pg_url" -c "SELECT 1 FROM pg_namespace WHERE nspname = '$schema'") == 1 ]]; then
			exists=1
		else
			psql -q -v ON_ERROR_STOP=1 "$pg_url" -c "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" >/dev/null
		fi
		if [[ $pg_url == *\?* ]]; then db="$pg_url&search_path=$schema"; else db="$pg_url?search_path=$schema"; fi
	fi
	if [[ $engine == sqlite ]]; then sql_db=$db_file; else sql_db=$schema; fi
	if [[ -n $keep ]]; then
		# The trap leaves a kept database alone.
		local kept_file=$db_file kept_schema=$schema
		db_file="" schema=""
	fi
	if [[ -n $exists ]]; then
		echo "bench-scale: $name: measuring the kept database (seeded in $(jq -r '.seconds | floor' "$dir/$name.seed.json") s)" >&2
	else
		echo "bench-scale: $name: seeding (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
		"$dir/waybill" bench seed --database-url "$db" --trackings "$n" >"$dir/$name.seed.json"
		echo "bench-scale: $name: seeded in $(jq -r '.seconds | floor' "$dir/$name.seed.json") s" >&2
	fi
	if [[ -n $exists ]]; then
		# A database kept from an older build is brought to this build's
		# schema first (the poll schedule's table is migration 00030's).
		"$dir/waybill" migrate --database-url "$db" >&2
	fi
	if [[ -n $exists && $respread == 1 ]]; then
		respread_polls "$engine" "$sql_db" "$dir/$name.seed.json"
	fi
	due_polls "$engine" "$sql_db" >"$dir/$name.due"
	echo "bench-scale: $name: $(cat "$dir/$name.due") polls due at the server's start" >&2
	settle "$([[ $engine == postgres ]] && echo "$pg_url")"
	resident "$engine" "$sql_db" >"$dir/$name.resident"
	echo "bench-scale: $name: $(cat "$dir/$name.resident") % of the database's files in the OS page cache" >&2
	port=${BENCH_PORT:-$("$dir/waybill" bench free-port)}
	rm -f "$dir/$name.addr"
	# The server's PostgreSQL connections carry a name of their own, so
	# that the measure can read its backends' CPU (--backends).
	local serve_db=$db backends=() more_env=()
	[[ -n ${BENCH_PPROF_PORT:-} ]] && more_env+=("WAYBILL_PPROF_ADDR=127.0.0.1:$BENCH_PPROF_PORT")
	# shellcheck disable=SC2206 # one setting a word
	[[ -n ${BENCH_SERVE_ENV:-} ]] && more_env+=($BENCH_SERVE_ENV)
	if [[ $engine == postgres ]]; then
		serve_db="$db&application_name=$app_name"
		backends=(--backends "$app_name")
	fi
	WAYBILL_ADDR=127.0.0.1:$port WAYBILL_PUBLIC_URL=http://127.0.0.1:$port WAYBILL_ADDR_FILE="$dir/$name.addr" \
		WAYBILL_DATABASE_URL="$serve_db" WAYBILL_RATE_LIMIT_SCALE=0 WAYBILL_LOG_LEVEL=warn \
		env "${serve_env[@]}" "${more_env[@]}" "$dir/waybill" serve 2>>"$dir/$name.serve.log" &
	pid=$!
	wait_ready "$dir/$name.addr" /readyz || { cat "$dir/$name.serve.log" >&2; return 1; }
	"$dir/waybill" bench scale --database-url "$db" --url "$base" --seed-file "$dir/$name.seed.json" --pid "$pid" \
		--requests "$requests" --concurrency "$concurrency" --warmup "$warmup" --only "$only" "${backends[@]}" \
		--timeline "$dir/$name.timeline.jsonl" >"$dir/$name.scale.json"
	stop_server
	if [[ -n $keep ]]; then
		echo "bench-scale: $name: kept ${kept_file:-schema $kept_schema}" >&2
	elif [[ $engine == sqlite ]]; then
		rm -f "$db_file" "$db_file-wal" "$db_file-shm"
		db_file=""
	else
		psql -q "$pg_url" -c "DROP SCHEMA $schema CASCADE" >/dev/null
		schema=""
	fi
}

for engine in $engines; do
	for n in $sizes; do
		run "$engine" "$n"
	done
done

runs=()
for engine in $engines; do for n in $sizes; do runs+=("$engine-$n"); done; done

# op_table CELL: a table with a row per call and a column per run, each
# cell the jq expression CELL (ending " |") of the call's entry.
op_table() {
	local cell=$1 op r
	printf '| call |'
	for r in "${runs[@]}"; do printf ' %s |' "$r"; done
	printf '\n|---|'
	for _ in "${runs[@]}"; do printf -- '---:|'; done
	printf '\n'
	jq -r '.ops[].name' "$dir/${runs[0]}.scale.json" | while read -r op; do
		printf '| %s |' "$op"
		for r in "${runs[@]}"; do
			jq -r --arg op "$op" ".ops[] | select(.name == \$op) | $cell" "$dir/$r.scale.json" | tr -d '\n'
		done
		printf '\n'
	done
}

# The growth table: one row per call, p99 (p50) in ms per engine and size.
table=$(
	op_table '" \(.p99_ms) (\(.p50_ms)) |"'
	for row in "seed time (s):.seconds:seed" "bytes on disk per tracking:.bytes_per_tracking:scale" \
		"server RSS after the loads (MiB):.rss_kb:scale" "server peak RSS (MiB):.hwm_kb:scale" \
		"polls due at the server's start:.:due" "database files in the OS page cache (%):.:resident" \
		"load average before:.load_before:scale" "load average after:.load_after:scale"; do
		IFS=: read -r label path kind <<<"$row"
		printf '| %s |' "$label"
		for r in "${runs[@]}"; do
			if [[ $kind == due || $kind == resident ]]; then v=$(cat "$dir/$r.$kind"); else v=$(jq -r "$path" "$dir/$r.$kind.json"); fi
			case $label in
			*MiB*) v=$(awk -v k="$v" 'BEGIN { printf "%.0f", k / 1024 }') ;;
			seed*|bytes*) v=$(awk -v k="$v" 'BEGIN { printf "%.0f", k }') ;;
			esac
			printf ' %s |' "$v"
		done
		printf '\n'
	done
)

# CPU per call: the server's (or, for the calls that are not HTTP, the
# measuring process's) CPU time during the calls divided by their number.
# On PostgreSQL, after a "+", the server's backends' CPU per HTTP call.
cpu_table=$(op_table '" \((.server_cpu_ms_per_call // 0) * 100 | round / 100)\(if (.db_cpu_ms_per_call // 0) > 0 then " + \(.db_cpu_ms_per_call * 100 | round / 100)" else "" end) |"')

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
pg_version=$(psql -tA "$pg_url" -c 'SHOW server_version' 2>/dev/null || echo "?")
mkdir -p "$(dirname "$out")"
cat >"$out" <<REPORT
# At a million trackings: latency of each read as the database grows

Measured by \`scripts/bench-scale.sh\`; \`docs/BENCHMARKS.md\` summarises it.

- Date: $(date -u +%Y-%m-%dT%H:%MZ)
- Machine: $(nproc) CPUs ($cpu), $(uname -sr), $(go version | cut -d' ' -f3-)
- PostgreSQL: $pg_version on the same machine; SQLite: modernc.org/sqlite, WAL
- Command: \`$command_line\`
- Each call: $requests calls (the poll scheduler a quarter, the replay a tenth), $concurrency in flight, closed loop$( ((warmup > 0)) && echo ", after $warmup unmeasured calls of each HTTP kind (not the cursor walk or the replay)")

p99 (p50) in milliseconds, per engine and number of trackings (100 organizations each):

$table

CPU milliseconds per call (the server's for HTTP calls, on PostgreSQL + its backends'; the measuring
process's for the store's and the scheduler's calls):

$cpu_table
REPORT
echo "bench-scale: wrote $out" >&2
cat "$out"
