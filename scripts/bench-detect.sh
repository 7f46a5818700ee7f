#!/usr/bin/env bash
# bench-detect.sh times `waybill detect` and the npm package
# ts-tracking-number (getTracking on each line, in Node.js) over the same
# 100,000-line file of mixed tracking numbers, in one run, alternating the
# two tools, and prints a Markdown table of the median wall times.
#
#   scripts/bench-detect.sh
#
# Environment:
#   BENCH_RUNS       runs of each tool (default 5)
#   BENCH_CORPUS     the file to read (default: written by the cmd/waybill
#                    test helper TestWriteDetectCorpus, 100,000 lines)
#   TS_TRACKING_NUMBER_VERSION   the npm package version (default 1.0.17)
#   BENCH_BASELINE_REF   also time `waybill detect` built from this git
#                    commit (e.g. an older main), in the same alternation
#
# Needs go; the ts-tracking-number half needs node and npm (and the npm
# registry, to install the package into a scratch folder) and is skipped,
# with a message and exit status 0, when they are missing.
set -euo pipefail

cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-5}
ts_version=${TS_TRACKING_NUMBER_VERSION:-1.0.17}

for tool in go git /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench-detect: $tool is required" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

echo "bench-detect: building waybill" >&2
go build -o "$tmp/waybill" ./cmd/waybill
if [[ -n ${BENCH_BASELINE_REF:-} ]]; then
	echo "bench-detect: building waybill at $BENCH_BASELINE_REF" >&2
	mkdir "$tmp/baseline"
	git archive "$BENCH_BASELINE_REF" | tar -x -C "$tmp/baseline"
	(cd "$tmp/baseline" && go build -o "$tmp/waybill-baseline" ./cmd/waybill)
fi
corpus=${BENCH_CORPUS:-$tmp/corpus.txt}
if [[ -z ${BENCH_CORPUS:-} ]]; then
	WAYBILL_DETECT_CORPUS=$corpus go test -count=1 -run '^TestWriteDetectCorpus$' ./cmd/waybill >/dev/null
fi
lines=$(grep -c . "$corpus")

have_ts=1
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "bench-detect: node or npm not found; skipping ts-tracking-number" >&2
	have_ts=0
elif ! npm install --prefix "$tmp/node" --no-audit --no-fund --silent "ts-tracking-number@$ts_version" >&2; then
	echo "bench-detect: could not install ts-tracking-number@$ts_version; skipping it" >&2
	have_ts=0
fi

# The Node.js side: getTracking on each trimmed non-blank line, one JSON
# line out per line in, like `waybill detect`. It reports on stderr the
# time spent in the loop alone (without starting Node and loading the
# package) and how many lines got a courier.
if ((have_ts)); then
	cat >"$tmp/node/detect.js" <<'JS'
const fs = require('fs');
const { getTracking } = require('ts-tracking-number');
const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n');
const start = process.hrtime.bigint();
let out = [], named = 0;
for (const raw of lines) {
  const input = raw.trim();
  if (input === '') continue;
  const t = getTracking(input);
  if (t) named++;
  out.push(JSON.stringify({ input, tracking_number: t ? t.trackingNumber : input, couriers: t ? [{ slug: t.courier.code }] : [] }));
  if (out.length === 4096) { fs.writeSync(1, out.join('\n') + '\n'); out = []; }
}
if (out.length) fs.writeSync(1, out.join('\n') + '\n');
const ms = Number(process.hrtime.bigint() - start) / 1e6;
process.stderr.write(`loop_ms=${ms.toFixed(1)} named=${named}\n`);
JS
fi

# measure CMD...: run CMD with stdout to /dev/null and print its wall time
# and its CPU time (user + system, children included), both in ms. The CPU
# time is the steadier figure when other work shares the machine.
measure() {
	local f=$tmp/time.out
	/usr/bin/time -f '%e %U %S' -o "$f" "$@" >/dev/null
	awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }' "$f"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$tmp/waybill.ms"
: >"$tmp/ts.ms"
: >"$tmp/ts.loop"
: >"$tmp/baseline.ms"
for i in $(seq "$runs"); do
	echo "bench-detect: run $i of $runs" >&2
	measure sh -c '"$1" detect <"$2"' sh "$tmp/waybill" "$corpus" >>"$tmp/waybill.ms"
	if [[ -x $tmp/waybill-baseline ]]; then
		measure sh -c '"$1" detect <"$2"' sh "$tmp/waybill-baseline" "$corpus" >>"$tmp/baseline.ms"
	fi
	if ((have_ts)); then
		measure sh -c 'cd "$1" && node detect.js "$2" 2>>"$3"' sh "$tmp/node" "$corpus" "$tmp/ts.loop" >>"$tmp/ts.ms"
	fi
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
named_waybill=$("$tmp/waybill" detect <"$corpus" | grep -vc '"couriers":\[\]' || true)

# row NAME FILE NAMED: one table row from a file of "wall cpu" lines.
row() {
	local wall cpu
	wall=$(cut -d' ' -f1 "$2" | median)
	cpu=$(cut -d' ' -f2 "$2" | median)
	echo "| $1 | $wall | $cpu | $(cut -d' ' -f1 "$2" | paste -sd, | sed 's/,/, /g') | $(awk -v n="$lines" -v ms="$cpu" 'BEGIN { printf "%d", n / ms * 1000 }') | $3 |"
}
ratio() { # ratio FILE_A FILE_B FIELD: median of A over median of B
	awk -v a="$(cut -d' ' -f"$3" "$1" | median)" -v b="$(cut -d' ' -f"$3" "$2" | median)" 'BEGIN { printf "%.1f", a / b }'
}

echo
echo "$lines lines ($corpus), $runs runs each, alternating; load average $load_before before, $load_after after."
echo "$(nproc) CPUs, $(go version | cut -d' ' -f3), node $(node --version 2>/dev/null || echo -)."
echo
echo "| tool | wall, median (ms) | CPU, median (ms) | wall, all runs (ms) | numbers per CPU second | lines with a courier |"
echo "|---|---:|---:|---|---:|---:|"
row '`waybill detect`' "$tmp/waybill.ms" "$named_waybill"
if [[ -x $tmp/waybill-baseline ]]; then
	named_baseline=$("$tmp/waybill-baseline" detect <"$corpus" | grep -vc '"couriers":\[\]' || true)
	row "\`waybill detect\` at $BENCH_BASELINE_REF" "$tmp/baseline.ms" "$named_baseline"
fi
if ((have_ts)); then
	named_ts=$(sed -n 's/.*named=\([0-9]*\).*/\1/p' "$tmp/ts.loop" | head -1)
	loop=$(sed -n 's/.*loop_ms=\([0-9.]*\).*/\1/p' "$tmp/ts.loop" | median)
	row "ts-tracking-number $ts_version (\`getTracking\`, node)" "$tmp/ts.ms" "$named_ts"
	echo
	echo "ts-tracking-number over waybill detect: $(ratio "$tmp/ts.ms" "$tmp/waybill.ms" 2)× the CPU time, $(ratio "$tmp/ts.ms" "$tmp/waybill.ms" 1)× the wall time"
	echo "(process start included); its detection loop alone took $loop ms (median wall)."
fi
