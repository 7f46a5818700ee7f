#!/usr/bin/env bash
# The command line: migrations on a new database, an organization and its keys, a revoked key
# refused from the next request on, and --help.
#
# Needs a running `waybill serve` at WAYBILL_URL and the waybill command on the server's
# database (WAYBILL_DATABASE_URL). README: "The command line".
set -euo pipefail
: "${WAYBILL_URL:=http://localhost:8080}"
# check FILE TEXT...: stop unless FILE holds every TEXT.
check() { local f=$1; shift; for w; do grep -qF -- "$w" "$f" || { printf 'check: %s lacks %s:\n' "$f" "$w" >&2; cat "$f" >&2; exit 1; }; done; }
# ---

# A new SQLite file: migrate says what it applied, and the second time that nothing was left.
NEW_DB=sqlite:$(mktemp -d)/waybill.db
waybill migrate --database-url "$NEW_DB" | tee migrate.txt
check migrate.txt 'applied 00001_foundation.sql' 'sqlite schema is up to date:'
waybill migrate --database-url "$NEW_DB" | tee migrate-again.txt
check migrate-again.txt 'nothing to apply'

# On the server's database: an organization, a second key, and the list of its keys.
ORG=acme-$RANDOM
waybill org create "$ORG" | tee org.json
waybill key create --org "$ORG" | tee key.json
KEY2=$(grep -o '"api_key":"[^"]*"' key.json | cut -d'"' -f4)
PREFIX=$(grep -o '"prefix":"[^"]*"' key.json | cut -d'"' -f4)
waybill key list --org "$ORG" | tee keys.txt
check keys.txt "$PREFIX"
waybill org show "$ORG"

# The second key works; revoked, it is refused from the next request on.
curl -s "$WAYBILL_URL/v4/trackings" -H "aftership-api-key: $KEY2" -o /dev/null -w 'HTTP %{http_code}\n' | tee before.txt
check before.txt 'HTTP 200'
waybill key revoke --org "$ORG" "$PREFIX"
curl -s "$WAYBILL_URL/v4/trackings" -H "aftership-api-key: $KEY2" -w 'HTTP %{http_code}\n' | tee after.txt
check after.txt 'HTTP 401'
waybill key revoke --org "$ORG" "$PREFIX" 2>&1 | tee again.txt || echo "exit $?"
check again.txt 'has no API key'

# Every command answers --help with its usage and exits 0 without acting; a flag it does not take exits 2.
waybill org create --help; echo "exit $?"
waybill config --database-url x 2>&1 | tee refused.txt || echo "exit $?"
check refused.txt 'flag provided but not defined' 'usage: waybill config'
