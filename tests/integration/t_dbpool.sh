#!/usr/bin/env bash
# A database server that starts its own pool of workers (tests/fixtures/dbpool), as a user
# saw it on a real Elixir service (issue 19, part 3):
#   load   one worker of the three, fed casts faster than it serves, is a mailbox-buildup,
#          never a global-bottleneck: it is one of a pool, and its one "caller waiting" is its
#          server watching it (a monitor held from the server's own receive loop);
#   quiet  the same pool fed slowly: nothing above info, and idle processes read 0 reds/s
#          (our own walks' cost is not theirs);
#   orphan the server started from the start script, owning a table: its workers are
#          "started by" it (its keeper, a plain spawn_link, "linked to" it), never "started
#          from a script"; the server's one finding names its table (no ets-owner-at-risk).
# Each printed code block parses (tests/codecheck).
. "$(dirname "$0")/lib.sh"
BLOCKS=$(tmpfile blocks)
expected() {
  case $1 in
    load) printf '%s\n' "warning+ mailbox-buildup db_worker_1" \
            "info unsupervised-process N × DbPool.Worker (e.g. <pid>)" ;;
    quiet) printf '%s\n' "info unsupervised-process N × DbPool.Worker (e.g. <pid>)" ;;
    orphan) printf '%s\n' "warning unsupervised-process DbPool.Server" \
              "warning unsupervised-process N × DbPool.Worker (e.g. <pid>)" \
              "warning unsupervised-process a spawned fun" ;;
  esac
}
for mode in load quiet orphan; do
  DBPOOL_MODE=$mode start_fixture dbpool D
  sleep 2 # the feeder runs; a queue fed faster than served grows
  J=$(tmpfile check)
  "$OA" check --json "$D_NODE" --cookie-file "$D_COOKIE" >"$J" 2>"$J.err"
  honest check_eq "$mode: check exits 0" 0 $?
  got=$(jq -r '.findings[] | "\(.severity) \(.rule) \(.subject.name)"' "$J" |
        sed -E 's/<[0-9]+\.[0-9]+\.[0-9]+>/<pid>/g; s/^([a-z]+ [a-z-]+) [0-9]+ × /\1 N × /' |
        sed -E 's/^(warning|critical) mailbox-buildup/warning+ mailbox-buildup/' | sort)
  check_eq "$mode: the findings an OTP reviewer signs" "$(expected $mode | sort)" "$got"
  check_eq "$mode: no global-bottleneck on a pool's member" 0 \
    "$(jq '[.findings[] | select(.rule == "global-bottleneck")] | length' "$J")"
  case $mode in
    load)
      q=$(jq '.findings[] | select(.rule == "mailbox-buildup") | "\(.evidence.queue_second) \(.evidence.growth_per_s | floor)"' -r "$J")
      check "load: the worker's queue is long ($q)" test "${q%% *}" -ge 1000
      check "load: and grew across the window ($q)" test "${q##* }" -gt 0 ;;
    quiet)
      D2=$(tmpfile dump)
      "$OA" dump --json "$D_NODE" --cookie-file "$D_COOKIE" >"$D2" 2>"$D2.err"
      honest check_eq "quiet: dump exits 0" 0 $?
      check_eq "quiet: the idle top supervisor reads 0 reds/s (our walks' 2 reductions taken off)" 0 \
        "$(jq '.supervisors[] | select(.name == "DbPool.Supervisor") | .reds_per_s' "$D2")" ;;
    orphan)
      sum() { jq -r --arg s "$1" '.findings[] | select(.subject.name | startswith($s)) | .summary' "$J"; }
      check_contains "orphan: the workers are started by the server" \
        "started by DbPool.Server <" "$(sum "3 ×")"
      check_absent "orphan: not 'started from a script'" "started by DbPool.Server <" "started from a script" "$(sum "3 ×")"
      check_contains "orphan: the keeper, a plain spawn_link, is linked to the server" \
        "linked to DbPool.Server <" "$(sum "a spawned fun")"
      check_contains "orphan: where the keeper waits is spelled as Elixir" "is now in DbPool.Server.keep/0" \
        "$(sum "a spawned fun")"
      check_contains "orphan: the keeper's advice uses a placeholder, not the module it waits in" \
        "defmodule MyApp.Worker do" \
        "$(jq -r '.findings[] | select(.subject.name == "a spawned fun") | .recommendation' "$J")"
      check_eq "orphan: the server's one finding carries its table" "1 100" \
        "$(jq -r '.findings[] | select(.subject.name == "DbPool.Server") | "\(.evidence.tables) \(.evidence.rows)"' "$J")"
      check_contains "orphan: and names it" ":db_cache (100 rows" "$(sum DbPool.Server)" ;;
  esac
  "$TOP/tests/codecheck/blocks.sh" check "$J" "dbpool-$mode" >> "$BLOCKS"
  honest check_eq "$mode: the system ran without a crash" 0 "$(grep -cE 'CRASH REPORT|ERROR REPORT' "$D_DIR/node.log")"
  stop_fixture "$D_DIR"
done
check_code_parses "printed code parses" "$BLOCKS"
finish
