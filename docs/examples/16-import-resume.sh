#!/usr/bin/env bash
# An interrupted import, resumed: `waybill import` stopped by a signal after its first batches, then
# `--resume` from the checkpoint, and a third run that creates nothing.
#
# Needs a running `waybill serve` at WAYBILL_URL and the waybill command on the server's database
# (for the organization). README: "Bulk import".
set -euo pipefail
: "${WAYBILL_URL:=http://localhost:8080}"
export WAYBILL_URL
# check FILE TEXT...: stop unless FILE holds every TEXT.
check() { local f=$1; shift; for w; do grep -qF -- "$w" "$f" || { printf 'check: %s lacks %s:\n' "$f" "$w" >&2; cat "$f" >&2; exit 1; }; done; }
# ---

# An organization of its own; waybill import reads WAYBILL_URL and WAYBILL_API_KEY.
ORG=acme-$RANDOM
export WAYBILL_API_KEY=$(waybill org create "$ORG" | grep -o '"api_key":"[^"]*"' | cut -d'"' -f4)

# 2,000 rows.
{ echo 'Courier,Tracking Number,Order Number'; seq 3400000001 3400002000 | awk '{print "dhl," $1 ",#" NR}'; } > orders.csv

# Start an import in batches of 100 and interrupt it (SIGINT, as Ctrl-C) once its first batch is recorded.
waybill import --batch 100 orders.csv > first.txt 2>&1 & IMPORT=$!
for _ in $(seq 600); do [ -s orders.csv.checkpoint ] && break; sleep 0.05; done
kill -INT "$IMPORT"
wait "$IMPORT" || echo "exit status $?"
cat first.txt
check first.txt 'run again with --resume to continue'

# --resume continues after the last batch the server acknowledged.
waybill import --batch 100 --resume orders.csv 2>&1 | tail -n 1 | tee second.txt
check second.txt 'imported orders.csv'

# Every row is there once: a third run of the whole file creates nothing.
waybill import orders.csv 2>&1 | tail -n 1 | tee third.txt
check third.txt '0 created, 2000 already existed, 0 rejected'
