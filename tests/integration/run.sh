#!/usr/bin/env bash
# Run the integration tests (tests/integration/t_*.sh) against real nodes: all of them, or
# those named (run.sh t_shell_pty t_signals; ONLY=part also selects by a part of the name).
# Each runs under a bound (TEST_TIMEOUT seconds, 1800 by default; TERM to the test's whole
# process group, KILL 10 s later): a test that hangs fails and the suite goes on. Within a
# test every step that waits on a child has its own, much shorter, bound (lib.sh).
# NOTHING_CHECK=1 runs them against a stand-in that does nothing (nothing.sh): the run
# passes when no content check of any test passed (lib.sh: honest checks may).
set -uo pipefail
cd "$(dirname "$0")"
tests=()
if [ $# -gt 0 ]; then
  for a in "$@"; do a=${a%.sh}; tests+=("${a#*/}.sh"); done
else
  tests=(t_*.sh)
fi
pass=0 fail=0 failed=()
for t in "${tests[@]}"; do
  [ -n "${ONLY:-}" ] && [[ "$t" != *"$ONLY"* ]] && continue
  [ -f "$t" ] || { echo "== $t: no such test"; failed+=("$t"); fail=$((fail + 1)); continue; }
  echo "== $t"
  t0=$(date +%s)
  out=$(timeout -k 10 "${TEST_TIMEOUT:-1800}" bash "$t" 2>&1); rc=$?
  echo "$out"
  [ $rc -eq 124 ] || [ $rc -eq 137 ] && echo "   $t did not end within ${TEST_TIMEOUT:-1800} s: stopped"
  echo "   ($t: $(( $(date +%s) - t0 )) s)"
  p=$(grep -E '^[a-z_0-9]+: [0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -1 | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/')
  [ -n "$p" ] || p="0 1"
  pass=$((pass + ${p% *}))
  fail=$((fail + ${p#* }))
  if [ $rc -ne 0 ]; then failed+=("$t"); [ "${p#* }" = "0" ] && fail=$((fail + 1)); fi
done
echo
if [ -n "${NOTHING_CHECK:-}" ]; then
  # a test passes here when it reaches finish with no content check passed
  echo "integration with the do-nothing stand-in: $pass content checks passed (each must fail)"
  [ ${#failed[@]} -gt 0 ] && echo "a content check passed in, or ended badly: ${failed[*]}"
  [ $pass -eq 0 ] && [ ${#failed[@]} -eq 0 ]
  exit
fi
[ ${#failed[@]} -gt 0 ] && echo "failed: ${failed[*]}"
echo "integration: $pass passed, $fail failed"
[ $fail -eq 0 ] && [ ${#failed[@]} -eq 0 ]
