#!/usr/bin/env bash
# Files the user names: written atomically when regular (a failed write leaves the old
# file, never half of one, and no temporary file), through a symlink to its target, in
# place for a device (never replaced); every write error is exit 2 with one line; --from a
# FIFO is refused at once. No node: the golden snapshot is the input.
. "$(dirname "$0")/lib.sh"
G=$TOP/tests/golden/clean.etf
D=$_TMP/files; mkdir -p "$D"
one_line() { [ "$(wc -l <"$1")" -eq 1 ] && grep -q "^otp-advisor: " "$1"; }

# a symlink stays a symlink; its target gets the data
echo old > "$D/real.json"; ln -s real.json "$D/link.json"
"$OA" dump --json --from "$G" -o "$D/link.json" 2>"$D/e"
honest check_eq "-o through a symlink exits 0" 0 $?
honest check "the symlink is still a symlink" test -L "$D/link.json"
check_eq "its target has the output" '"otp-advisor/dump/1"' "$(jq .schema "$D/real.json")"
# the snapshot writer (snapshot -o, the shell's save) goes the same way
ln -s real.etf "$D/link.etf"
"$OA" snapshot --from "$G" -o "$D/link.etf" 2>"$D/e"
honest check_eq "snapshot -o through a symlink exits 0" 0 $?
honest check "... the symlink stays" test -L "$D/link.etf"
back=$("$OA" check --from "$D/real.etf" --json)
honest check_eq "... and the target reads back (exit 0)" 0 $?
check_same "... as the snapshot it was saved from" "$("$OA" check --from "$G" --json)" "$back"

# a device is written in place, never replaced
"$OA" check --from "$G" -o /dev/null 2>"$D/e"
honest check_eq "-o /dev/null exits 0" 0 $?
honest check "/dev/null is still a character device" test -c /dev/null
"$OA" check --from "$G" -o /dev/full 2>"$D/e"
check_eq "-o /dev/full exits 2" 2 $?
check "... with one line saying why" one_line "$D/e"
check_contains "... the disk is full" "No space left on device" "$(cat "$D/e")"
"$OA" check --from "$G" >/dev/full 2>"$D/e"
check_eq "standard output on /dev/full exits 2" 2 $?
check "... with one line" one_line "$D/e"

# a write that fails half way leaves the old file and no temporary one
echo OLD > "$D/out.json"
( trap '' XFSZ; ulimit -f 8; "$OA" dump --json --from "$G" -o "$D/out.json" 2>"$D/e" ); rc=$?
check_eq "a write past the file size limit exits 2" 2 "$rc"
check "... with one line" one_line "$D/e"
honest check_eq "... the old file is untouched" OLD "$(cat "$D/out.json")"
honest check_eq "... no temporary file is left" "" "$(ls "$D" | grep -F '.tmp')"
( trap '' XFSZ; ulimit -f 8; "$OA" snapshot --from "$G" -o "$D/snap.etf" 2>"$D/e" ); rc=$?
check_eq "a snapshot past the limit exits 2" 2 "$rc"
honest check "... and leaves no file" test ! -e "$D/snap.etf"

# report -o where nothing can be written: one line, nothing on stdout, no "written"
"$OA" report --from "$G" -o /nonexistent-dir/x.md >"$D/o" 2>"$D/e"
check_eq "report -o into a missing directory exits 2" 2 $?
check "... one line on stderr" one_line "$D/e"
check_silent "... nothing on stdout (the error on stderr)" "cannot write /nonexistent-dir/x.md" "$(cat "$D/e")" "$(cat "$D/o")"
check_absent "... and no claim that it was written" "cannot write" "written" "$(cat "$D/e")"

# --from a FIFO: refused, not a hang (no writer ever comes: a hang ends at the bound, 124)
mkfifo "$D/fifo"
bounded 10 "$OA" check --from "$D/fifo" 2>"$D/e"
check_eq "--from a FIFO exits 2" 2 $?
check_contains "... saying it is not a regular file" "not a regular file" "$(cat "$D/e")"
# -o a FIFO with no reader: an error, not a hang
bounded 10 "$OA" check --from "$G" -o "$D/fifo" 2>"$D/e"
check_eq "-o a FIFO with no reader exits 2" 2 $?

# the cookie file: a directory is named as one, not "empty"; a FIFO is refused at once; a
# file others can read is warned about, once, with the fix (as ssh does for keys)
mkdir -p "$D/cookiedir"
"$OA" check nosuchnode@localhost --cookie-file "$D/cookiedir" 2>"$D/e"
check_eq "a directory as cookie file exits 2" 2 $?
check_contains "... said to be a directory" "is a directory, not a regular file" "$(cat "$D/e")"
mkfifo "$D/cookiefifo"
bounded 10 "$OA" check nosuchnode@localhost --cookie-file "$D/cookiefifo" 2>"$D/e"
check_eq "a FIFO as cookie file exits 2 at once" 2 $?
printf 'SECRETCOOKIE' > "$D/cookie644"; chmod 644 "$D/cookie644"
"$OA" check nosuchnode@localhost --cookie-file "$D/cookie644" 2>"$D/e"
check_eq "a cookie file others can read, no such node: exit 2" 2 $?
check_contains "a cookie file others can read is warned about" "is readable by other users (mode 644)" "$(cat "$D/e")"
check_contains "... with the fix" "chmod 400 $D/cookie644" "$(cat "$D/e")"
check_absent "... and the cookie is never printed" "readable by other users" "SECRETCOOKIE" "$(cat "$D/e")"
chmod 400 "$D/cookie644"
"$OA" check nosuchnode@localhost --cookie-file "$D/cookie644" 2>"$D/e"
check_eq "mode 400, no such node: exit 2" 2 $?
check_absent "no warning at mode 400" "no node named 'nosuchnode'" "readable by" "$(cat "$D/e")"

# diagnoses: a node name epmd cannot know is named as such, and a huge argument is cut
"$OA" check $'n\xff\xfe@localhost' --cookie-file "$D/cookie644" 2>"$D/e"
check_eq "a non-UTF-8 node name exits 2" 2 $?
check_contains "... said to be a bad node name (not \"epmd gave no answer\")" "bad node name" "$(cat "$D/e")"
long=$(head -c 100000 /dev/zero | tr '\0' x)
for args in "check $long" "check --set $long" "explain $long" "check $long@localhost"; do
  # shellcheck disable=SC2086
  "$OA" $args --cookie-file "$D/cookie644" 2>"$D/e" >/dev/null
  check_eq "a 100,000-character argument (${args%% *} …): exit 2" 2 $?
  check "a 100,000-character argument is not echoed in full (${args%% *} …: $(wc -c <"$D/e") bytes)" \
    test "$(grep -c '^otp-advisor: ' "$D/e")" -gt 0 -a "$(wc -c <"$D/e")" -lt 1000
done
# a process with 300,000 links saves in one pass and reads back whole (saving grew ei's
# buffer 1 KB at a time: quadratic in this build)
"$TOP/tests/craft/craft.escript" 300000 "$D/links.etf" links
"$OA" snapshot --from "$D/links.etf" -o "$D/links2.etf" >/dev/null 2>"$D/e"
honest check_eq "a process with 300,000 links is saved (exit 0)" 0 $?
n=$(erl -noshell -eval '{ok, B} = file:read_file("'"$D/links2.etf"'"), {_, 2, [{node_snapshot, _, ok, Ms}]} = binary_to_term(B),
      io:format("~b", [lists:max([length(element(12, P)) || {procs, Ps} <- Ms, P <- Ps])]), halt().')
check_eq "... and reads back with all its links" 300001 "$n"
finish
