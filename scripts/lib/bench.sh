# Helpers shared by the scripts/bench-*.sh load scripts; source it after
# setting $bench_name (the prefix of messages) and $tmp (a scratch folder).
# They track the server under test in $pid and its base URL in $base.

# wait_ready ADDR_FILE PATH: wait until the process in $pid wrote its address
# and answers PATH with 200; sets $base.
wait_ready() {
	local file=$1 path=$2
	for _ in $(seq 600); do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "$bench_name: the server exited early" >&2
			return 1
		fi
		if [[ -s $file ]]; then
			base="http://$(cat "$file")"
			if curl -fsS -o /dev/null "$base$path" 2>/dev/null; then
				return 0
			fi
		fi
		sleep 0.1
	done
	echo "$bench_name: the server was not ready within 60s" >&2
	return 1
}

# start_waybill BIN LOG DATABASE_URL [ENV...]: start `BIN serve` on a free
# port with throttling off, the bootstrap key $key and its stderr appended
# to LOG, and wait until it is ready; sets $pid and $base.
start_waybill() {
	local bin=$1 log=$2 db=$3
	shift 3
	rm -f "$tmp/addr"
	env WAYBILL_ADDR=127.0.0.1:0 WAYBILL_ADDR_FILE="$tmp/addr" WAYBILL_DATABASE_URL="$db" \
		WAYBILL_BOOTSTRAP_API_KEY="$key" WAYBILL_RATE_LIMIT_SCALE=0 WAYBILL_LOG_LEVEL=warn "$@" \
		"$bin" serve 2>>"$log" &
	pid=$!
	wait_ready "$tmp/addr" /readyz || { cat "$log" >&2; return 1; }
}

# stop_server: SIGTERM the server in $pid and check that it exits cleanly.
stop_server() {
	kill -TERM "$pid"
	wait "$pid" || { echo "$bench_name: the server did not stop cleanly" >&2; return 1; }
	pid=""
}

# settle [PG_URL]: let the previous phase's writes reach the disk (and
# PostgreSQL checkpoint them) before the next phase, so that one phase's
# background flushing does not land in the next one's figures.
settle() {
	sync
	if [[ -n ${1:-} ]]; then
		psql -q "$1" -c CHECKPOINT >/dev/null 2>&1 || true
	fi
	sleep 2
}

# bench_cleanup: the EXIT trap of the bench scripts. It stops the server in
# $pid, drops the PostgreSQL schema $schema (on $pg_url), removes the
# SQLite file $db_file with its WAL, and removes $tmp unless $keep_tmp is set.
bench_cleanup() {
	if [[ -n ${pid:-} ]] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	if [[ -n ${schema:-} ]]; then
		psql -q "$pg_url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
	fi
	if [[ -n ${db_file:-} ]]; then
		rm -f "$db_file" "$db_file-wal" "$db_file-shm"
	fi
	if [[ -z ${keep_tmp:-} && -n ${tmp:-} ]]; then
		rm -rf "$tmp"
	fi
}
