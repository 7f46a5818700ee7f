#!/usr/bin/env bash
# bench-targets.sh measures every row of issue 18's targets table in one run,
# one script after the other on both engines, so that the figures share one
# machine state: the v4 create and get (bench-api.sh), webhook deliveries
# across 100 endpoints at an offered rate and the push-to-attempt latency
# (bench-webhooks.sh), the delivery rate itself from a backlog of 30,000
# deliveries built while delivery was paused (bench-webhooks.sh's backlog
# mode, BENCH_BACKLOG), Onport processing and asynchronous ingestion
# (bench-onport.sh), the tracking page view (bench-pages.sh), and the
# asynchronous ingestion on SQLite against bare five times
# (bench-ingest.sh; the target holds only when it holds in every run).
#
#   scripts/bench-targets.sh [DIR]     (default a new folder under /tmp)
#
# Each script's full report lands in DIR with the load average before and
# after it; the summary (DIR/targets.md) lists each report's headline rows.
# The scripts' own environment variables (BENCH_DURATION, BENCH_RATE, ...)
# reach them; BENCH_WEBHOOK_RATE sets bench-webhooks.sh's offered rate
# in pushes/s, each reaching 10 endpoints (default 100: 1,000 deliveries/s, the
# latency target's rate), BENCH_WEBHOOK_BACKLOG the events of the throughput
# run's backlog (default 3000: 30,000 deliveries, ten seconds at the
# 3,000 deliveries/s target), BENCH_WEBHOOK_DRAIN_RATE the rate in pushes/s at which
# that backlog is pushed (default 300) and BENCH_INGEST_RUNS the number of
# asynchronous-ingestion runs (default 5).
set -euo pipefail

cd "$(dirname "$0")/.."
dir=${1:-$(mktemp -d /tmp/waybill-targets.XXXXXX)}
mkdir -p "$dir"
summary=$dir/targets.md
webhook_rate=${BENCH_WEBHOOK_RATE:-100}
webhook_drain_rate=${BENCH_WEBHOOK_DRAIN_RATE:-300}
webhook_backlog=${BENCH_WEBHOOK_BACKLOG:-3000}
ingest_runs=${BENCH_INGEST_RUNS:-5}

{
	echo "# Issue 18 targets, one run"
	echo
	echo "Started $(date -u '+%Y-%m-%d %H:%M UTC') at revision $(git rev-parse --short HEAD);"
	echo "$(nproc) CPUs; reports in $dir."
} >"$summary"

# run NAME COMMAND...: run one bench script with its report in $dir/NAME.md.
run() {
	local name=$1 before after
	shift
	before=$(cut -d' ' -f1-3 /proc/loadavg)
	echo "bench-targets: $name (load $before)" >&2
	"$@" "$dir/$name.md" >"$dir/$name.log" 2>&1 || {
		echo "bench-targets: $name failed; see $dir/$name.log" >&2
		tail -20 "$dir/$name.log" >&2
		return 1
	}
	after=$(cut -d' ' -f1-3 /proc/loadavg)
	{
		echo
		echo "## $name"
		echo
		echo "Command: \`$*\`, load average $before → $after. Report: $dir/$name.md"
		echo
		grep -E '^\|' "$dir/$name.md" | head -40
	} >>"$summary"
}

run api scripts/bench-api.sh
run webhooks env BENCH_RATE="$webhook_rate" scripts/bench-webhooks.sh
run webhooks-throughput env BENCH_RATE="$webhook_drain_rate" BENCH_BACKLOG="$webhook_backlog" scripts/bench-webhooks.sh
run onport scripts/bench-onport.sh
run pages scripts/bench-pages.sh
run ingest env BENCH_RUNS="$ingest_runs" scripts/bench-ingest.sh
echo "bench-targets: done; summary in $summary" >&2
cat "$summary"
