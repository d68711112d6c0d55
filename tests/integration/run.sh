#!/usr/bin/env bash
# Run every integration test (tests/integration/t_*.sh) against real nodes.
set -uo pipefail
cd "$(dirname "$0")"
pass=0 fail=0 failed=()
for t in t_*.sh; do
  [ -n "${ONLY:-}" ] && [[ "$t" != *"$ONLY"* ]] && continue
  echo "== $t"
  out=$(bash "$t" 2>&1); rc=$?
  echo "$out"
  p=$(grep -E '^[a-z_0-9]+: [0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -1 | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1 \2/')
  [ -n "$p" ] || p="0 1"
  pass=$((pass + ${p% *}))
  fail=$((fail + ${p#* }))
  if [ $rc -ne 0 ]; then failed+=("$t"); [ "${p#* }" = "0" ] && fail=$((fail + 1)); fi
done
echo
[ ${#failed[@]} -gt 0 ] && echo "failed: ${failed[*]}"
echo "integration: $pass passed, $fail failed"
[ $fail -eq 0 ] && [ ${#failed[@]} -eq 0 ]
