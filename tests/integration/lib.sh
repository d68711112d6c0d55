# lib.sh — helpers for integration tests against real nodes. Source it from a t_*.sh.
#
# Every node a test starts goes through start_fixture, which records its directory; the
# EXIT trap stops each one by its own pid (scripts/fixture.sh stop), also when a check
# fails or the test is interrupted. Nothing is ever killed by name.
set -uo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OA=${OA:-$TOP/build/otp-advisor-san}
# the do-nothing run: every run of the program is the stand-in's (t_overload's release too)
[ -n "${NOTHING_CHECK:-}" ] && OA=$TOP/tests/integration/nothing.sh && OA_RELEASE=$OA
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$TOP/tests/lsan.supp}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ERL_CRASH_DUMP=${TMPDIR:-/tmp}/oa-test-erl_crash.dump
ERL_CALL=$(cat "$TOP/build/ei.dir")/bin/erl_call
PASS=0
FAIL=0
TEST_NAME=$(basename "$0" .sh)
_FIXTURE_DIRS=()
_TMP=$(mktemp -d "${TMPDIR:-/tmp}/oa-test.XXXXXX")

_cleanup() {
  for d in "${_FIXTURE_DIRS[@]}"; do "$TOP/scripts/fixture.sh" stop "$d" || true; done
  rm -rf "$_TMP"
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

# start_fixture NAME PREFIX: sets ${PREFIX}_NODE, _COOKIE, _PID, _DIR
start_fixture() {
  local out
  out=$("$TOP/scripts/fixture.sh" start "$1") || { echo "FATAL: fixture $1 did not start"; exit 1; }
  local node cookie pid dir
  node=$(sed -n 's/^NODE=//p' <<<"$out"); cookie=$(sed -n 's/^COOKIE_FILE=//p' <<<"$out")
  pid=$(sed -n 's/^PID=//p' <<<"$out"); dir=$(sed -n 's/^DIR=//p' <<<"$out")
  _FIXTURE_DIRS+=("$dir")
  printf -v "${2}_NODE" '%s' "$node"
  printf -v "${2}_COOKIE" '%s' "$cookie"
  printf -v "${2}_PID" '%s' "$pid"
  printf -v "${2}_DIR" '%s' "$dir"
}

# Every step that waits on a child ends by itself: a hung case fails in seconds and the
# suite goes on. `timeout` alone is not enough: it sends TERM, which a process may not act
# on (expect sits in `wait` through it), so KILL follows 5 s later.
#
# bounded SECS CMD...: CMD's exit status, or 124 (TERM) / 137 (KILL) once SECS have passed
bounded() { local s=$1; shift; timeout -k 5 "$s" "$@"; }

# wait_bounded PID SECS: the exit status of a background child, waiting at most SECS for it;
# one still running then is killed by its pid, said, and its status (137) returned
wait_bounded() {
  local pid=$1 secs=$2 i
  for ((i = 0; i < secs * 10; i++)); do
    # gone, or a zombie not yet reaped
    { kill -0 "$pid" && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; } 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; then
    echo "  note  pid $pid still running after $secs s: killed"
    kill -9 "$pid" 2>/dev/null
  fi
  wait "$pid"
}

# Tcl for the expect scripts (put "$EXPECT_PROCS" in an unquoted heredoc, after `spawn`):
#   step WHAT PATTERN  the pattern within the timeout: STEP-OK WHAT, else STEP-FAIL WHAT and
#                      the script ends (closing the pty hangs up on the spawned process)
#   reap SECS          the spawned process's exit status ("killed by SIG…" if a signal ended
#                      it), waiting at most SECS for it to end; one still running then is
#                      killed by its pid (REAP-KILLED in the log), so no script sits in
#                      `wait` for ever
EXPECT_PROCS='
proc step {what pattern} {
  expect {
    -re $pattern { puts "\nSTEP-OK $what" }
    timeout { puts "\nSTEP-FAIL $what"; exit 1 }
    eof { puts "\nSTEP-FAIL $what (eof)"; exit 1 }
  }
}
proc gone {pid} {
  if {[catch {open /proc/$pid/stat} f]} { return 1 }
  set s [read $f]
  close $f
  return [regexp {\) Z } $s]
}
proc reap {secs} {
  set pid [exp_pid]
  set until [expr {[clock milliseconds] + 1000 * $secs}]
  while {![gone $pid] && [clock milliseconds] < $until} { after 100 }
  if {![gone $pid]} { puts "\nREAP-KILLED $pid still running after $secs s"; catch {exec kill -9 $pid} }
  catch {close}
  set r [wait]
  if {[lindex $r 4] eq "CHILDKILLED"} { return "killed by [lindex $r 5]" }
  return [lindex $r 3]
}
'

# node_eval PREFIX 'Erlang expression' -> prints the value ({ok, V} unwrapped by erl_call)
node_eval() {
  local dir_var="${1}_DIR" node_var="${1}_NODE"
  echo "$2" | HOME=${!dir_var} bounded 60 "$ERL_CALL" -sname "${!node_var}" -e 2>&1 | sed -e 's/^{ok, *//' -e 's/}$//'
}

tmpfile() { mktemp "$_TMP/$1.XXXXXX"; }

# Honest checks and content checks. A program that does nothing (nothing.sh: exit 0, no
# output) rightly passes a check that reads only an exit status, the target's health, that
# nothing was left behind, or the safety harness: such a check is run under `honest`
# (honest check_eq "dump exits 0" 0 $?). Every other check is a content check: it reads
# what the program said, and must fail against the do-nothing stand-in. With
# NOTHING_CHECK=1 (OA=nothing.sh; the Makefile's integration target) a content check that
# passes is marked PASSED-WITH-NOTHING, and the test fails if any did.
_HONEST=
HONEST_PASS=0
CONTENT_PASS=0
honest() { local rc; _HONEST=1; "$@"; rc=$?; _HONEST=; return $rc; }

ok() {
  PASS=$((PASS + 1))
  if [ -n "$_HONEST" ]; then HONEST_PASS=$((HONEST_PASS + 1)); echo "  ok    $1"; return 0; fi
  CONTENT_PASS=$((CONTENT_PASS + 1))
  if [ -n "${NOTHING_CHECK:-}" ]; then echo "  PASSED-WITH-NOTHING  $1"; else echo "  ok    $1"; fi
}
not_ok() { FAIL=$((FAIL + 1)); echo "  FAIL  $1"; [ -n "${2:-}" ] && echo "$2" | sed 's/^/        /' | tail -40; return 0; }

# check DESC COMMAND...: passes when the command succeeds
check() { local d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else not_ok "$d"; fi; }
# check_eq DESC EXPECTED ACTUAL
check_eq() { if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2
actual:   $3"; fi; }
# check_contains DESC NEEDLE HAYSTACK
check_contains() { if grep -qF -- "$2" <<<"$3"; then ok "$1"; else not_ok "$1" "missing: $2
in: $3"; fi; }
# check_not_contains DESC NEEDLE HAYSTACK: NEEDLE is not in HAYSTACK, which says something
# (an empty one proves nothing: a program that printed nothing would pass)
check_not_contains() {
  if [ -z "${3//[[:space:]]/}" ]; then not_ok "$1" "nothing to look in: the output is empty"
  elif grep -qF -- "$2" <<<"$3"; then not_ok "$1" "unexpected: $2"; else ok "$1"; fi
}
# A silence, an absence, an equality or a bound is only worth something beside what the
# output does say: these first require the output they read to name its subject.
# check_absent DESC PRESENT ABSENT HAYSTACK: HAYSTACK holds PRESENT (the node, a count, the
# subject it is silent about) and not ABSENT
check_absent() {
  if ! grep -qF -- "$2" <<<"$4"; then not_ok "$1" "the output does not name its subject: $2
in: $(head -c 2000 <<<"$4")"
  elif grep -qF -- "$3" <<<"$4"; then not_ok "$1" "unexpected: $3"; else ok "$1"; fi
}
# check_silent DESC PRESENT OUTPUT ACTUAL: OUTPUT holds PRESENT, and ACTUAL (read from it:
# the findings on a subject, the lines of a kind) is empty
check_silent() {
  if ! grep -qF -- "$2" <<<"$3"; then not_ok "$1" "the output does not name its subject: $2
in: $(head -c 2000 <<<"$3")"
  elif [ -n "$4" ]; then not_ok "$1" "unexpected: $4"; else ok "$1"; fi
}

# check_same DESC A B: two outputs agree, and the first says something (two empty ones agree
# on nothing)
check_same() {
  if [ -z "${2//[[:space:]]/}" ] || [ "$2" = null ]; then not_ok "$1" "nothing to compare: the first is empty"
  else check_eq "$@"; fi
}
# check_code_parses DESC BLOCKS: every block the test collected in BLOCKS (tests/codecheck/
# blocks.sh) parses, and there are some (no printed code proves nothing)
check_code_parses() {
  local out rc n
  out=$(elixir "$TOP/tests/codecheck/codecheck.exs" "$2" 2>&1); rc=$?
  n=$(tail -1 <<<"$out" | sed -nE 's/^codecheck: [0-9]+ of ([0-9]+) blocks parse$/\1/p')
  if [ $rc -eq 0 ] && [ "${n:-0}" -gt 0 ]; then ok "$1: $(tail -1 <<<"$out")"
  else not_ok "$1" "$out"; fi
}

# harness_report DIR: what tests/harness/oa_harness.erl saw on that node:
# "logged=N ours=N probes=N left=N" and details (N/A when the node is gone)
harness_report() {
  local d=$1
  local pid; pid=$(cat "$d/pid" 2>/dev/null)
  # gone, or a zombie (a test killed it on purpose)
  { kill -0 "$pid" && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; } 2>/dev/null || { echo "N/A"; return; }
  # a node erl_call cannot reach (TLS, IPv6): a test writes DIR/check_flags, the flags of a
  # hidden erl node that can, and fixture.sh wrote the node's full name (t_tls, t_address)
  if [ -f "$d/check_flags" ]; then
    # shellcheck disable=SC2046
    HOME=$d bounded 60 erl $(cat "$d/check_flags") -noshell -hidden \
      -eval "io:format(\"~s\", [rpc:call('$(cat "$d/fullnode")', oa_harness, report, [])]), halt()." 2>&1
    return
  fi
  echo 'oa_harness:report().' | HOME=$d bounded 60 "$ERL_CALL" -sname "$(cat "$d/node")" -e 2>&1 |
    sed -e 's/^{ok, *"//' -e 's/"}$//'
}

# Safety in every test: on every node it started that still runs, no log event caused by
# our requests, no probe module loaded, no message of ours queued in any process.
safety_one() {
  local d=$1 r
  r=$(harness_report "$d")
  [ "$r" = "N/A" ] && return 0
  if grep -q '^logged=[0-9]* ours=0 probes=0 left=0' <<<"$r"; then
    honest ok "safety on $(cat "$d/node"): nothing logged by us, no probe loaded, no message left"
  else
    not_ok "safety on $(cat "$d/node")" "$r"
  fi
}
safety_checks() {
  local d
  for d in "${_FIXTURE_DIRS[@]}"; do safety_one "$d"; done
}

# stop_fixture DIR: stop one node before the test ends (its safety checked first)
stop_fixture() {
  safety_one "$1"
  "$TOP/scripts/fixture.sh" stop "$1" || true
}

finish() {
  safety_checks
  if [ -n "${NOTHING_CHECK:-}" ]; then
    echo "$TEST_NAME: $CONTENT_PASS passed, $FAIL failed (against the do-nothing stand-in: $CONTENT_PASS content checks passed, $HONEST_PASS honest ones)"
    [ "$CONTENT_PASS" -eq 0 ]
    return
  fi
  echo "$TEST_NAME: $PASS passed, $FAIL failed"
  [ "$FAIL" -eq 0 ]
}
