#!/usr/bin/env bash
# make bench: a target with N idle proc_lib processes (100,000 and 1,000,000 by default).
# For each N, from one run: the in-node floor (the target walking its processes with
# process_info for the same items), otp-advisor's end-to-end snapshot time and its ratio
# to the floor, the target's memory growth during the snapshot (and what
# erlang:processes() alone costs), and the C node's peak RSS per process.
# Budgets: ratio <= 1.3, growth <= processes()-alone + 16 MB, RSS <= 200 B/proc.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
OA=$top/build/otp-advisor
ERL_CALL=$(cat "$top/build/ei.dir")/bin/erl_call
sizes=${BENCH_SIZES:-100000 1000000}
work=$(mktemp -d "${TMPDIR:-/tmp}/oa-bench.XXXXXX")
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
erlc -o "$work" "$top/tests/bench/oa_bench.erl"
( umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/.erlang.cookie" )
ec() { HOME=$work "$ERL_CALL" -sname "$node" -a "$1"; }

printf '%-9s %9s %9s %6s %10s %10s %9s %8s %8s\n' N floor_ms oa_ms ratio growth_MB floorg_MB procs_MB rss_MB B/proc
for n in $sizes; do
  node="oabench-$$-$n"
  HOME=$work erl -sname "$node" -noshell -noinput +P 2000000 -pa "$work" >"$work/node.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do ec 'erlang node []' >/dev/null 2>&1 && break; sleep 0.1; done
  ec "oa_bench spawn_idle [$n]" >/dev/null
  procs_only=$(ec 'oa_bench processes_only []')
  floor=$(ec 'oa_bench floor []')             # warm-up walk
  ec 'oa_bench sampler_start []' >/dev/null
  floor=$(ec 'oa_bench floor []')
  floor_growth=$(ec 'oa_bench sampler_stop []')
  ec 'oa_bench sampler_start []' >/dev/null
  stats=$("$OA" snapshot "$node" --cookie-file "$work/.erlang.cookie" --window 0 --stats -o "$work/s.etf" 2>&1 | grep '^stats:')
  growth=$(ec 'oa_bench sampler_stop []')
  e2e=$(sed -E 's/.*collect_us=([0-9]+).*/\1/' <<<"$stats")
  rss=$(sed -E 's/.*maxrss_kb=([0-9]+).*/\1/' <<<"$stats")
  got=$(sed -E 's/.*processes=([0-9]+).*/\1/' <<<"$stats")
  awk -v n="$got" -v f="$floor" -v e="$e2e" -v g="$growth" -v fg="$floor_growth" -v p="$procs_only" -v r="$rss" 'BEGIN {
    printf "%-9d %9.0f %9.0f %6.2f %10.1f %10.1f %9.1f %8.1f %8.0f\n", n, f/1000, e/1000, e/f, g/1048576, fg/1048576, p/1048576, r/1024, r*1024/n }'
  # two samples, for the record
  stats2=$("$OA" snapshot "$node" --cookie-file "$work/.erlang.cookie" --window 1 --stats -o "$work/s2.etf" 2>&1 | grep '^stats:')
  echo "          two samples (--window 1): $stats2"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  # shell commands on the loaded snapshot: each command's time above loading the file
  ms() { local t0 t1; t0=$(date +%s%N); printf '%s\n' "$1" | "$OA" shell --from "$work/s.etf" >/dev/null 2>&1; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
  base=$(ms "")
  line="          shell on the saved snapshot: load ${base} ms;"
  for c in summary "top -n 20" "top -s mem" tree findings "info <0.100.0>" "registry" "ets"; do
    line="$line $c $(( $(ms "$c") - base )) ms,"
  done
  echo "${line%,}"
done
# loading crafted 1,000,000-process snapshots (no node): a plain one, one where every pid
# appears twice, one where every record has the same pid, one of 100,000 supervisors that did
# not answer, their children known by ancestry; every reader must be O(n log n)
for shape in plain dups same sups; do
  "$top/tests/craft/craft.escript" 1000000 "$work/c.etf" $([ "$shape" = plain ] || echo "$shape")
  t0=$(date +%s%N)
  "$OA" check --from "$work/c.etf" >/dev/null 2>&1 || true
  echo "crafted 1,000,000 processes ($shape): check --from in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
done
# one process with 1,000,000 links, loaded and saved again, in the sanitizer build too
# (ei_x grew its buffer 1 KB at a time: saving was quadratic there)
"$top/tests/craft/craft.escript" 1000000 "$work/c.etf" links
for b in "$OA" "$top/build/otp-advisor-san"; do
  [ -x "$b" ] || continue
  t0=$(date +%s%N)
  ASAN_OPTIONS=detect_leaks=0 "$b" snapshot --from "$work/c.etf" -o "$work/c2.etf" >/dev/null 2>&1 || true
  echo "crafted 1,000,000 links on one process: load and save with $(basename "$b") in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
done
echo "floor = in-node process_info walk of the same items (1000-pid slices dropped); oa = attach, load, stream, decode, one sample"
echo "growth = target's peak erlang:memory(total) above its start during the snapshot; floorg = the same during the floor walk;"
echo "procs = the same for erlang:processes() alone"
