#!/usr/bin/env bash
# The shell as a person sees it: run in a real terminal (tmux, its own server socket) and
# read back the screen (capture-pane). The prompt's colour codes must not show as text
# (they did: "[1;32mnode@host[0m>" on every line), and a command's output must be there.
. "$(dirname "$0")/lib.sh"
SOCK=oa-screen-$$
trap 'tmux -L "$SOCK" kill-server 2>/dev/null; _cleanup' EXIT
screen() { tmux -L "$SOCK" capture-pane -p -t oa; }
wait_for() { # TEXT: up to 10 s for it to be on the screen
  for _ in $(seq 1 100); do grep -qF -- "$1" <<<"$(screen)" && return 0; sleep 0.1; done; return 1
}
tmux -L "$SOCK" new-session -d -s oa -x 120 -y 40 \
  "env TERM=xterm-256color OTP_ADVISOR_HISTORY=$_TMP/history $OA shell --from $TOP/tests/golden/zoo.etf; sleep 30"
check "the prompt is on the screen" wait_for "zoo.etf (offline)>"
tmux -L "$SOCK" send-keys -t oa "summary" Enter
check "a command's output is on the screen" wait_for "findings  "
tmux -L "$SOCK" send-keys -t oa "tre" Tab
check "Tab completes a command on the screen" wait_for "> tree"
tmux -L "$SOCK" send-keys -t oa C-u "explain nope" Enter
check "an error is one line on the screen" wait_for "error: no rule 'nope'"
shot=$(screen)
check_not_contains "no colour code shows as text (ESC[1;32m)" "[1;3" "$shot"
check_not_contains "no reset code shows as text (ESC[0m)" "[0m" "$shot"
check_not_contains "no delimiter of non-printing text shows" $'\x01' "$shot"
check_eq "every prompt starts its line with the snapshot's name" "" \
  "$(grep -F '(offline)>' <<<"$shot" | grep -vE "^$TOP/tests/golden/zoo.etf \(offline\)>")"
echo "$shot" | grep -v '^$' | tail -4 | sed 's/^/  screen| /'
tmux -L "$SOCK" send-keys -t oa C-d
finish
