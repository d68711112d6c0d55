#!/usr/bin/env bash
# The command line from its tables (src/cli.c): --version, help for each command listing
# only the options it takes, and an option a command does not take refused with a reason.
. "$(dirname "$0")/lib.sh"
out=$("$OA" --version); rc=$?
honest check_eq "--version exits 0" 0 $rc
check "--version names the version and the probe" grep -Eq '^otp-advisor [0-9]+\.[0-9]+\.[0-9]+ \(probe otp_advisor_probe_[0-9a-f]{10}\)$' <<<"$out"
check_same "check --version is the same" "$out" "$("$OA" check --version)"
out=$("$OA" help); rc=$?
honest check_eq "help exits 0" 0 $rc
for c in shell snapshot dump check report mcp explain help; do
  check_contains "help lists $c" "otp-advisor $c " "$out"
done
out=$("$OA" help check)
check_contains "help check lists --fail-on" "--fail-on SEVERITY" "$out"
out=$("$OA" help mcp)
check_contains "help mcp lists --source-root" "--source-root DIR" "$out"
check_absent "help mcp does not list -o" "usage: otp-advisor mcp " "--output" "$out"
out=$("$OA" help dump)
check_absent "help dump does not list --fail-on" "usage: otp-advisor dump " "--fail-on SEVERITY" "$out"
err=$("$OA" dump --from "$TOP/tests/golden/zoo.etf" --fail-on warning 2>&1 >/dev/null); rc=$?
check_eq "dump --fail-on exits 2" 2 $rc
check_eq "... saying why" "otp-advisor: dump does not take --fail-on (see otp-advisor help dump)" "$err"
err=$("$OA" help nosuch 2>&1 >/dev/null); rc=$?
check_eq "help for an unknown command exits 2" 2 $rc
check_contains "... and says so" "no command 'nosuch'" "$err"
out=$("$OA" explain thresholds); rc=$?
honest check_eq "explain thresholds exits 0" 0 $rc
check "explain thresholds shows units" grep -Eq '^bottleneck\.queue +50 messages ' <<<"$out"
finish
