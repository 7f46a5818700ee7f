# shellcheck shell=bash
# Shared by the pair scripts (bench-get-pair.sh, bench-idle-pair.sh), which
# set engine (sqlite or postgres), pg (the PostgreSQL URL) and pid (the
# servers' process ids, by name A or B) before calling these.

# ticks NAME prints server NAME's CPU ticks (user + system) so far.
ticks() { awk '{print $14+$15}' /proc/${pid[$1]}/stat; }

# pgticks NAME prints the CPU ticks so far of the PostgreSQL backends serving
# server NAME's connections (0 on SQLite).
pgticks() {
  [[ $engine == postgres ]] || { echo 0; return; }
  local ports t=0
  ports=$(ss -tnpH state established "( dport = :5432 )" | grep "pid=${pid[$1]}," | awk '{split($3,a,":"); print a[length(a)]}' | paste -sd, -)
  [[ -n $ports ]] || { echo 0; return; }
  for b in $(psql -tA "$pg" -c "select pid from pg_stat_activity where client_port in ($ports)"); do
    [[ -r /proc/$b/stat ]] && t=$((t + $(awk '{print $14+$15}' /proc/$b/stat)))
  done
  echo $t
}
