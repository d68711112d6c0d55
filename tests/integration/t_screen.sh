#!/usr/bin/env bash
# The shell as a person sees it: run in a real terminal (tmux, its own server socket) and
# read back the screen (capture-pane). The prompt's colour codes must not show as text
# (they did: "[1;32mnode@host[0m>" on every line), and a command's output must be there.
# Ctrl-D, typed once the last output shows, ends the shell with 0.
. "$(dirname "$0")/lib.sh"
SOCK=oa-screen-$$
tm() { bounded 20 tmux -L "$SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; _cleanup' EXIT
screen() { tm capture-pane -p -t oa; }
wait_for() { # TEXT: up to 30 s for it to be on the screen
  for _ in $(seq 1 300); do grep -qF -- "$1" <<<"$(screen)" && return 0; sleep 0.1; done; return 1
}
tm new-session -d -s oa -x 120 -y 40 \
  "env TERM=xterm-256color OTP_ADVISOR_HISTORY=$_TMP/history $OA shell --from $TOP/tests/golden/zoo.etf; echo SHELL-ENDED-\$?; sleep 60"
check "the prompt is on the screen" wait_for "zoo.etf (offline)>"
tm send-keys -t oa "summary" Enter
check "a command's output is on the screen" wait_for "findings  "
tm send-keys -t oa "tre" Tab
check "Tab completes a command on the screen" wait_for "> tree"
tm send-keys -t oa C-u "explain nope" Enter
check "an error is one line on the screen" wait_for "error: no rule 'nope'"
shot=$(screen)
prompt="zoo.etf (offline)>"
check_absent "no colour code shows as text (ESC[1;32m)" "$prompt" "[1;3" "$shot"
check_absent "no reset code shows as text (ESC[0m)" "$prompt" "[0m" "$shot"
check_absent "no delimiter of non-printing text shows" "$prompt" $'\x01' "$shot"
check_silent "every prompt starts its line with the snapshot's name" "$prompt" "$shot" \
  "$(grep -F '(offline)>' <<<"$shot" | grep -vE "^$TOP/tests/golden/zoo.etf \(offline\)>")"
echo "$shot" | grep -v '^$' | tail -4 | sed 's/^/  screen| /'
# the shell still runs when Ctrl-D is typed (a program that ended at once says the same)
ended=$(grep -c SHELL-ENDED <<<"$shot")
tm send-keys -t oa C-d
if [ "$ended" = 0 ] && wait_for "SHELL-ENDED-0"; then ok "Ctrl-D ends the shell with 0"
else not_ok "Ctrl-D ends the shell with 0" "$(if [ "$ended" != 0 ]; then echo "it had ended before"; fi; screen)"; fi
finish
