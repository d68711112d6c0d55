#!/usr/bin/env bash
# Supervisors that are not OTP's supervisor module (tests/fixtures/forks): a gen_server fork
# that keeps the protocol is read, with both collectors; a gen_server declared a supervisor
# whose module is not a gen_server behaviour, one exporting which_children/1 only, one with
# both exports whose state is not a supervisor's (asked sys:get_state only), and a
# special process of a library version never verified are recorded and never asked (each
# counts and logs any request). Real ranch, cowboy and supervisor2 are in the corpus
# (t_corpus: corpus_cowboy, corpus_sup2).
. "$(dirname "$0")/lib.sh"

start_fixture forks F
for mode in probe no-load; do
  J=$(tmpfile "dump-$mode")
  flag=(); [ "$mode" = no-load ] && flag=(--no-load)
  "$OA" dump --json "${flag[@]}" "$F_NODE" --cookie-file "$F_COOKIE" >"$J" 2>"$J.err"
  honest check_eq "[$mode] dump exits 0" 0 $?
  sup() { jq -r --arg n "$1" '.supervisors[] | select(.name == $n) | '"$2" "$J"; }
  check_eq "[$mode] forks_minisup (a gen_server fork with the supervisor API) is read" \
    "supervisor fork ok 1" "$(sup forks_minisup '"\(.kind) \(.status) \(.children)"')"
  check_eq "[$mode] its worker is its child" \
    "$(node_eval F "[{_, W, _, _}] = forks_minisup:which_children(forks_minisup), pid_to_list(W)." | tr -d '"')" \
    "$(jq -r '.supervisors[] | select(.name == "forks_minisup") | .child_pids[0]' "$J")"
  check_eq "[$mode] forks_liar (exports the API, no gen_server behaviour) is recorded and not asked" \
    "declared supervisor not_asked" "$(sup forks_liar '"\(.kind) \(.status)"')"
  check_eq "[$mode] forks_half (which_children/1 only) is recorded and not asked" \
    "declared supervisor not_asked" "$(sup forks_half '"\(.kind) \(.status)"')"
  check_eq "[$mode] forks_impostor (a gen_server behaviour with both exports, not the protocol) is not asked" \
    "declared supervisor not_asked" "$(sup forks_impostor '"\(.kind) \(.status)"')"
  check_contains "[$mode] ... because its state is not a supervisor's" "its state does not read as a supervisor's" \
    "$(sup forks_impostor .error)"
  check_eq "[$mode] a ranch_conns_sup of ranch 0.0.1 is recorded and not asked" \
    "declared supervisor not_asked" "$(sup forks_conns '"\(.kind) \(.status)"')"
  check_contains "[$mode] which says the version is not verified" "ranch 0.0.1, a version not verified" \
    "$(sup forks_conns .error)"
done
honest check_eq "forks_liar got no request" 0 "$(node_eval F 'forks_liar:asked().')"
honest check_eq "forks_half got no request" 0 "$(node_eval F 'forks_half:asked().')"
honest check_eq "forks_impostor got no request" 0 "$(node_eval F 'forks_impostor:asked().')"
honest check_eq "the ranch_conns_sup stand-in got no message" 0 "$(node_eval F 'ranch_conns_sup:asked().')"
T=$(tmpfile tree)
"$OA" dump "$F_NODE" --cookie-file "$F_COOKIE" --window 0 >"$T" 2>&1
honest check_eq "dump exits 0" 0 $?
check_contains "the tree names the fork by its module" "forks_minisup  forks_minisup" "$(cat "$T")"
finish
