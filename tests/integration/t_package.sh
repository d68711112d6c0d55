#!/usr/bin/env bash
# The Debian package, as a production host without a compiler would use it: build it
# (scripts/make-deb.sh: Depends from dpkg-shlibdeps, lintian clean of errors), install it
# with dpkg, run the installed binary against a real node and a saved snapshot, find its
# man page (which documents every option) and its completion, remove it: nothing is left.
. "$(dirname "$0")/lib.sh"
# the installed package is what runs here, not $OA: nothing to run against the stand-in
if [ -n "${NOTHING_CHECK:-}" ]; then echo "  note  t_package runs the installed package, not \$OA: not run against the stand-in"; finish; exit; fi
if [ "$(id -u)" -ne 0 ]; then echo "t_package: needs root to install a package"; exit 1; fi
if dpkg-query -W otp-advisor >/dev/null 2>&1; then dpkg -r otp-advisor >/dev/null 2>&1; fi
deb=$("$TOP/scripts/make-deb.sh" 2>"$_TMP/deb.err" | tail -1); rc=$?
check_eq "make-deb builds the package" 0 $rc
check "... and lintian finds no error" bash -c "! grep -q '^lintian: E:' '$_TMP/deb.err'"
check "Depends come from dpkg-shlibdeps: libc6 and libedit2" \
  bash -c "dpkg-deb -f '$deb' Depends | grep -q 'libc6 (>=' && dpkg-deb -f '$deb' Depends | grep -q 'libedit2'"
dpkg -i "$deb" >"$_TMP/dpkg.out" 2>&1
check_eq "dpkg -i installs it" 0 $?
files=$(dpkg -L otp-advisor)
check_eq "the installed binary is this build" "$("$TOP/build/otp-advisor" --version)" "$(/usr/bin/otp-advisor --version)"
out=$(/usr/bin/otp-advisor explain global-bottleneck); rc=$?
honest check_eq "installed: explain exits 0" 0 $rc
check_contains "installed: explain explains" "global-bottleneck" "$out"
/usr/bin/otp-advisor check --from "$TOP/tests/golden/zoo.etf" --json >"$_TMP/c.json"; rc=$?
check "installed: check --from a saved snapshot (exit $rc)" test $rc -le 1
# the zoo's findings as tests/golden/findings.test lists them (zoo_table_owner and its table: one)
check_eq "... with its findings" 14 "$(jq '.findings | length' "$_TMP/c.json")"
start_fixture erlbasic E
/usr/bin/otp-advisor check --json "$E_NODE" --cookie-file "$E_COOKIE" --sup-timeout 300 >"$_TMP/n.json" 2>"$_TMP/n.err"; rc=$?
check "installed: check against a running node (exit $rc)" test $rc -le 1
check_contains "... finds its planted bottleneck" "global-bottleneck" "$(jq -r '.findings[].rule' "$_TMP/n.json")"
check_eq "man -w finds the page" "/usr/share/man/man1/otp-advisor.1.gz" "$(man -w otp-advisor 2>/dev/null)"
check "the page is clean for mandoc -T lint" mandoc -T lint -W warning "$TOP/man/otp-advisor.1"
missing=""
opts=$("$TOP/build/otp-advisor" help | grep -oE -- '--[a-z-]+' | sort -u)
for o in $opts; do
  grep -q -- "Fl -${o#--}" "$TOP/man/otp-advisor.1" || missing+=" $o"
done
check_silent "the page documents every option --help lists ($(wc -w <<<"$opts"))" "--cookie-file" "$opts" "$missing"
comp() { # WORDS...: what bash completion offers for the last word
  bash -c 'source /usr/share/bash-completion/completions/otp-advisor
           COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _otp_advisor; printf "%s\n" "${COMPREPLY[@]}"' _ "$@"
}
check_contains "completion: commands" "check" "$(comp otp-advisor ch)"
check_contains "completion: a command's options" "--fail-on" "$(comp otp-advisor check --fa)"
check_absent "completion: not another command's" "--json" "--fail-on" "$(comp otp-advisor dump --)"
check_contains "completion: rule ids" "global-bottleneck" "$(comp otp-advisor check --rule glo)"
check_contains "completion: node names from epmd" "${E_NODE%@*}@" "$(comp otp-advisor check "${E_NODE:0:6}")"
dpkg -r otp-advisor >"$_TMP/dpkg.out" 2>&1
check_eq "dpkg -r removes it" 0 $?
left=""
for f in $files; do [ -f "$f" ] && left+=" $f"; done
honest check_eq "nothing it installed is left" "" "$left"
check "no otp-advisor on the PATH" bash -c '! command -v otp-advisor'
finish
