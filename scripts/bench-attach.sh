#!/usr/bin/env bash
# make bench, attach part: how long attaching takes, plain, over TLS and through ssh, to one
# node and (with --cluster) to three, against erl_call doing one RPC to the same node in the
# same run. Each figure is the median of RUNS runs. attach = otp-advisor's conn_open (the
# handshake, TLS or the ssh login included; `snapshot --stats` reports it); e2e = the whole
# `snapshot --window 0` command, process start to exit; erl_call = one `erlang:node()` RPC,
# process start to exit. Nodes and an sshd (on a loopback port, with generated keys) are
# started here and stopped by their pids.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
OA=$top/build/otp-advisor
ERL_CALL=$(cat "$top/build/ei.dir")/bin/erl_call
RUNS=${BENCH_RUNS:-5}
work=$(mktemp -d "${TMPDIR:-/tmp}/oa-bench-attach.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=../tests/integration/tls_certs.sh
. "$top/tests/integration/tls_certs.sh"
make_certs "$work/certs" >/dev/null
tls_optfile "$work/certs/dist.conf" node client "{verify, verify_peer}, {fail_if_no_peer_cert, true}"
( umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/.erlang.cookie" )
host=$(hostname -s)
start_node() { # NAME EXTRA...
  local n=$1; shift
  HOME=$work erl -sname "$n" -noshell -noinput "$@" >"$work/$n.log" 2>&1 &
  pids+=($!)
}
wait_node() { for _ in $(seq 1 100); do epmd -names 2>/dev/null | grep -q "^name $1 " && return 0; sleep 0.1; done; return 1; }
TLS=(-proto_dist inet_tls -ssl_dist_optfile "$work/certs/dist.conf")
p="oab$$"
for i in 1 2 3; do start_node "${p}p$i"; start_node "${p}t$i" "${TLS[@]}"; done
for i in 1 2 3; do wait_node "${p}p$i"; wait_node "${p}t$i"; done
sleep 1
# the cluster: each node connects to the first
for i in 2 3; do
  HOME=$work "$ERL_CALL" -sname "${p}p$i" -a "net_adm ping ['${p}p1@$host']" >/dev/null
done
HOME=$work erl -sname "${p}j" -noshell -hidden "${TLS[@]}" -eval "
  [pong = rpc:call('${p}t$i@$host', net_adm, ping, ['${p}t1@$host']) || i <- [2, 3]], halt()." >/dev/null 2>&1 ||
  echo "bench-attach: the TLS nodes did not form a cluster" >&2

# an sshd on loopback, as in t_ssh
K=$work/ssh; mkdir -p "$K"
ssh-keygen -q -t ed25519 -N '' -f "$K/host_key"; ssh-keygen -q -t ed25519 -N '' -f "$K/user_key"
cp "$K/user_key.pub" "$K/authorized_keys"
[ "$(id -u)" -eq 0 ] && mkdir -p /run/sshd
PORT=$((20000 + RANDOM % 30000))
printf '%s\n' "Port $PORT" "ListenAddress 127.0.0.1" "HostKey $K/host_key" "PidFile $K/sshd.pid" \
  "AuthorizedKeysFile $K/authorized_keys" "StrictModes no" "PasswordAuthentication no" "UsePAM no" \
  "PermitRootLogin prohibit-password" "LogLevel ERROR" >"$K/sshd_config"
/usr/sbin/sshd -D -e -f "$K/sshd_config" 2>/dev/null &
pids+=($!)
sleep 0.5
echo "[127.0.0.1]:$PORT $(cat "$K/host_key.pub")" >"$K/known_hosts"
SSH=(--ssh "127.0.0.1:$PORT" --ssh-command "ssh -F /dev/null -o IdentitiesOnly=yes -o UserKnownHostsFile=$K/known_hosts -i $K/user_key")

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR ? a[int((NR + 1) / 2)] : 0) }'; }
ms_of() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000 )); }
# one configuration: RUNS snapshots; prints attach and e2e medians in ms
measure() { # LABEL ARGS...
  local label=$1 a=() e=() i out t0 t1
  shift
  for ((i = 0; i < RUNS; i++)); do
    t0=$(date +%s%N)
    out=$("$OA" snapshot --window 0 --stats --cookie-file "$work/.erlang.cookie" -o "$work/s.etf" "$@" 2>&1 || true)
    t1=$(date +%s%N)
    a+=("$(sed -nE 's/.*(attach_us|wall_us)=([0-9]+).*/\2/p' <<<"$out" | head -1)")
    e+=("$(( (t1 - t0) / 1000 ))")
  done
  printf '%-34s %9.1f %9.1f\n' "$label" "$(printf '%s\n' "${a[@]}" | median | awk '{print $1/1000}')" \
    "$(printf '%s\n' "${e[@]}" | median | awk '{print $1/1000}')"
}
base=()
for ((i = 0; i < RUNS; i++)); do base+=("$(ms_of env HOME="$work" "$ERL_CALL" -sname "${p}p1" -a 'erlang node []')")
done
echo "attach times, median of $RUNS (ms); erl_call, one RPC, start to exit: $(printf '%s\n' "${base[@]}" | median | awk '{printf "%.1f", $1/1000}') ms"
printf '%-34s %9s %9s\n' configuration attach e2e
measure "plain, one node" "${p}p1@$host"
measure "TLS (mutual), one node" --tls "$work/certs/dist.conf" "${p}t1@$host"
measure "ssh, one node" "${SSH[@]}" "${p}p1@$host"
if "$OA" help snapshot 2>/dev/null | grep -q -- '--cluster'; then
  measure "plain, three nodes (--cluster)" --cluster "${p}p1@$host"
  measure "TLS, three nodes (--cluster)" --cluster --tls "$work/certs/dist.conf" "${p}t1@$host"
fi
