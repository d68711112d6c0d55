#!/usr/bin/env bash
# --ssh: a node reached through Debian's OpenSSH, with an sshd this test starts on a loopback
# port with keys it generates. otp-advisor's own epmd lookups point at a closed port
# (ERL_EPMD_PORT=1), so only the ssh forwards can reach the node. check, snapshot, the shell
# and --address attach through ssh; a failed login, an unknown host key, a refused forward
# and a closed ssh port are each one line and exit 2; and no ssh process or forward outlives
# a session: after success, failure, Ctrl-C and a SIGKILL of otp-advisor. ASan build.
. "$(dirname "$0")/lib.sh"
export FIXTURE_N=50   # a small erlbasic: what is tested here is the way in, not the size
SSHD=/usr/sbin/sshd
if [ ! -x "$SSHD" ] || ! command -v ssh >/dev/null; then
  not_ok "openssh-server and openssh-client are installed (scripts/install-deps.sh test)"
  finish
  exit 1
fi
K=$_TMP/ssh
mkdir -p "$K" "$_TMP/t"
ssh-keygen -q -t ed25519 -N '' -f "$K/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$K/user_key"
ssh-keygen -q -t ed25519 -N '' -f "$K/nofwd_key"
ssh-keygen -q -t ed25519 -N '' -f "$K/stranger_key"
# the second key may log in but forward nowhere useful
{ cat "$K/user_key.pub"; echo "restrict,port-forwarding,permitopen=\"127.0.0.1:1\" $(cat "$K/nofwd_key.pub")"; } >"$K/authorized_keys"
: >"$K/empty_known_hosts"
# sshd as root needs its privilege separation directory (the service makes it at boot)
[ "$(id -u)" -eq 0 ] && mkdir -p /run/sshd
SSHD_PID=""
for _ in 1 2 3 4 5; do
  PORT=$((20000 + RANDOM % 30000))
  cat >"$K/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $K/host_key
PidFile $K/sshd.pid
AuthorizedKeysFile $K/authorized_keys
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
AllowTcpForwarding yes
LogLevel ERROR
EOF
  "$SSHD" -D -e -f "$K/sshd_config" 2>"$K/sshd.log" &
  SSHD_PID=$!
  for _ in $(seq 1 50); do
    bounded 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null && break
    kill -0 "$SSHD_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$SSHD_PID" 2>/dev/null && break
  SSHD_PID=""
done
# stopped by its pid when the test ends, whatever happens
trap 'if [ -n "$SSHD_PID" ]; then kill "$SSHD_PID" 2>/dev/null; wait "$SSHD_PID" 2>/dev/null; fi; _cleanup' EXIT
honest check "sshd runs on 127.0.0.1:$PORT" test -n "$SSHD_PID"
echo "[127.0.0.1]:$PORT $(cat "$K/host_key.pub")" >"$K/known_hosts"

start_fixture erlbasic NODE
# the user's own keys and known hosts, as a user's ssh config would give them
S="ssh -F /dev/null -o IdentitiesOnly=yes -o UserKnownHostsFile=$K/known_hosts -i $K/user_key"
A=(--cookie-file "$NODE_COOKIE" --ssh "127.0.0.1:$PORT")
export ERL_EPMD_PORT=1 TMPDIR=$_TMP/t   # our epmd lookups go nowhere; our forwards live in $_TMP/t

ssh_left() { ps -eo pid=,args= | grep -F -- "-S $_TMP/t/oa-ssh-" | grep -v grep | grep -c . ; }
forwards_left() { find "$_TMP/t" -mindepth 1 2>/dev/null | grep -c . ; }
no_ssh_left() { # DESC
  local i
  for i in $(seq 1 30); do [ "$(ssh_left)" -eq 0 ] && break; sleep 0.1; done
  honest check_eq "$1: no ssh process left" 0 "$(ssh_left)"
  honest check_eq "$1: no forward left" 0 "$(forwards_left)"
}
fails_with() { # DESC NEEDLE CMD...
  local d=$1 needle=$2 err rc
  shift 2
  err=$(bounded 60 "$@" 2>&1 >/dev/null); rc=$?
  check_eq "$d: exit 2" 2 "$rc"
  check_contains "$d: says why" "$needle" "$err"
  check_eq "$d: in one line" 1 "$(grep -c . <<<"$err")"
  no_ssh_left "$d"
}

# ---- through ssh -------------------------------------------------------------------------
fails_with "without ssh the node is out of reach here" "epmd not reachable" "$OA" check --cookie-file "$NODE_COOKIE" "$NODE_NODE"
json=$(bounded 120 "$OA" check "${A[@]}" --ssh-command "$S" --json "$NODE_NODE" 2>"$_TMP/err"); rc=$?
honest check "check --ssh: exit 0 or 1" test "$rc" -le 1
check_contains "check --ssh names the node" "\"node\":\"$NODE_NODE\"" "$(tr -d ' \n' <<<"$json")"
check_contains "check --ssh read its tree" "erlbasic_sup" "$json"
check_silent "check --ssh: its JSON on stdout, nothing on stderr" "\"node\":\"$NODE_NODE\"" "$(tr -d ' \n' <<<"$json")" "$(cat "$_TMP/err")"
no_ssh_left "after check --ssh"

snap=$(tmpfile ssh-snap).etf
bounded 120 "$OA" snapshot "${A[@]}" --ssh-command "$S" "$NODE_NODE" -o "$snap" 2>/dev/null
honest check_eq "snapshot --ssh: exit 0" 0 $?
check_contains "snapshot --ssh: the file names the node" "\"node\":\"$NODE_NODE\"" \
  "$(bounded 60 "$OA" check --from "$snap" --json 2>/dev/null | tr -d ' \n')"
no_ssh_left "after snapshot --ssh"

out=$(printf 'summary\nrefresh 0\ntree erlbasic_sup -d 1\nquit\n' | bounded 120 "$OA" "${A[@]}" --ssh-command "$S" "$NODE_NODE" 2>&1); rc=$?
check_contains "the shell over ssh" "node      $NODE_NODE" "$out"
check_contains "the shell refreshes over ssh" "erlbasic_sup" "$out"
honest check_eq "the shell over ssh leaves with 0" 0 "$rc"
no_ssh_left "after the shell"

port=$(ERL_EPMD_PORT=4369 epmd -names | sed -n "s/^name ${NODE_NODE%@*} at port //p")
out=$(bounded 120 "$OA" check "${A[@]}" --ssh-command "$S" --address "localhost:$port" 2>&1); rc=$?
honest check "--ssh with --address (no epmd anywhere): exit 0 or 1" test "$rc" -le 1
check_contains "--ssh with --address: the node says its name" "on $NODE_NODE" "$out"
no_ssh_left "after --ssh --address"

# ---- failures ----------------------------------------------------------------------------
fails_with "an unknown host key" "host key is not known" "$OA" check "${A[@]}" \
  --ssh-command "ssh -F /dev/null -o IdentitiesOnly=yes -o UserKnownHostsFile=$K/empty_known_hosts -i $K/user_key" "$NODE_NODE"
fails_with "a failed login" "Permission denied" "$OA" check "${A[@]}" \
  --ssh-command "ssh -F /dev/null -o IdentitiesOnly=yes -o UserKnownHostsFile=$K/known_hosts -i $K/stranger_key" "$NODE_NODE"
fails_with "a refused forward" "administratively prohibited" "$OA" check "${A[@]}" \
  --ssh-command "ssh -F /dev/null -o IdentitiesOnly=yes -o UserKnownHostsFile=$K/known_hosts -i $K/nofwd_key" "$NODE_NODE"
fails_with "a closed ssh port" "Connection refused" "$OA" check --cookie-file "$NODE_COOKIE" --ssh "127.0.0.1:1" \
  --ssh-command "$S" "$NODE_NODE"
fails_with "an ssh client that does not exist" "not found" "$OA" check "${A[@]}" --ssh-command "no-such-ssh-$$" "$NODE_NODE"
fails_with "a destination that would be an option" "bad --ssh" "$OA" check --cookie-file "$NODE_COOKIE" \
  --ssh "-oProxyCommand=x" "$NODE_NODE"

# ---- ended with the session, whatever ends it ---------------------------------------------
"$OA" check "${A[@]}" --ssh-command "$S" --window 20 "$NODE_NODE" >/dev/null 2>&1 &
P=$!
for _ in $(seq 1 100); do [ "$(ssh_left)" -gt 0 ] && break; sleep 0.1; done
check "ssh runs while attached" test "$(ssh_left)" -gt 0
sleep 1
kill -INT "$P"
wait_bounded "$P" 30; rc=$?
check_eq "Ctrl-C: exit 130" 130 "$rc"
no_ssh_left "after Ctrl-C"

"$OA" check "${A[@]}" --ssh-command "$S" --window 20 "$NODE_NODE" >/dev/null 2>&1 &
P=$!
for _ in $(seq 1 100); do [ "$(ssh_left)" -gt 0 ] && break; sleep 0.1; done
sleep 1
kill -KILL "$P"
wait "$P" 2>/dev/null
for _ in $(seq 1 50); do [ "$(ssh_left)" -eq 0 ] && break; sleep 0.1; done
honest check_eq "SIGKILL of otp-advisor: its keeper ends ssh" 0 "$(ssh_left)"
rm -rf "${_TMP:?}/t"/oa-ssh-*   # a killed process cannot clean its folder: ours to remove
# nor remove its probe: the next session does (the safety check below sees it gone)
out=$(bounded 120 "$OA" check "${A[@]}" --ssh-command "$S" --window 0 "$NODE_NODE" 2>&1)
check_contains "a session after the SIGKILL attaches through ssh" "on $NODE_NODE" "$out"
no_ssh_left "after the last session"
unset ERL_EPMD_PORT              # the safety checks reach the node the usual way
finish
