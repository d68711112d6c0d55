#!/usr/bin/env bash
# Re-take the golden snapshots from live fixtures (zoo, clean, erlbasic) and rewrite the
# expected outputs in tests/golden/. Read `git diff tests/golden` before committing.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
OA=$top/build/otp-advisor
cd "$top/tests/golden"
# --expected-only: keep the snapshots, rewrite what is expected of them;
# RETAKE="zoo": re-take only these snapshots (the others are kept)
for fx in ${RETAKE:-zoo clean erlbasic pools}; do
  [ "${1:-}" = "--expected-only" ] && break
  [ "$fx" = diff ] && continue   # taken below
  out=$("$top/scripts/fixture.sh" start $fx)
  dir=$(sed -n 's/^DIR=//p' <<<"$out"); node=$(sed -n 's/^NODE=//p' <<<"$out")
  if [ $fx = zoo ]; then  # let the crashing child restart a few times
    for _ in $(seq 1 40); do
      n=$("$OA" check --json "$node" --cookie-file "$dir/.erlang.cookie" --window 0 --rule restart-churn | jq '.findings|length')
      [ "$n" -ge 1 ] && break; sleep 0.5
    done
  else sleep 1; fi
  "$OA" snapshot "$node" --cookie-file "$dir/.erlang.cookie" --sup-timeout 500 -o $fx.etf
  "$top/scripts/fixture.sh" stop "$dir"
done
# a deploy's before and after, for `diff`: a small erlbasic node, then a pool started under
# its top supervisor, a new version of erlbasic_server hot-loaded, an unsupervised named
# process killed, a new one spawned (RETAKE="diff" re-takes only these)
if [ "${1:-}" != "--expected-only" ] && [[ " ${RETAKE:-diff} " == *" diff "* ]]; then
  out=$(FIXTURE_N=40 "$top/scripts/fixture.sh" start erlbasic)
  dir=$(sed -n 's/^DIR=//p' <<<"$out"); node=$(sed -n 's/^NODE=//p' <<<"$out")
  ec() { echo "$1" | HOME=$dir "$(cat "$top/build/ei.dir")/bin/erl_call" -sname "${node%@*}" -e >/dev/null; }
  sleep 1
  "$OA" snapshot "$node" --cookie-file "$dir/.erlang.cookie" --sup-timeout 500 -o diff-before.etf
  ec '{ok, _} = supervisor:start_child(erlbasic_sup, #{id => diff_pool, type => supervisor,
        start => {supervisor, start_link, [{local, diff_pool}, erlbasic_app, pool]}}),
      [{ok, _} = supervisor:start_child(diff_pool, []) || _ <- lists:seq(1, 8)], ok.'
  v2=$(mktemp -d)
  { sed 's/^-module(erlbasic_server)\./-module(erlbasic_server).\n-export([diff_version\/0])./' \
      "$top/tests/fixtures/erlbasic/src/erlbasic_server.erl"; echo 'diff_version() -> 2.'; } >"$v2/erlbasic_server.erl"
  erlc -o "$v2" "$v2/erlbasic_server.erl" >/dev/null 2>&1
  ec "{module, _} = code:load_abs(\"$v2/erlbasic_server\"), ok."
  ec 'exit(whereis(planted_lonely), kill), spawn(fun() -> register(diff_regression, self()),
        receive stop -> ok end end), timer:sleep(300), ok.'
  "$OA" snapshot "$node" --cookie-file "$dir/.erlang.cookie" --sup-timeout 500 -o diff-after.etf
  rm -rf "$v2"
  "$top/scripts/fixture.sh" stop "$dir"
fi
# hand-written blocks (other snapshots, %%FAIL cases) are kept as they are, after the
# regenerated ones
kept=$(awk 'BEGIN { RS = ""; ORS = "\n\n" }
            { n = split($0, l, "\n"); first = ""
              for (i = 1; i <= n; i++) if (l[i] !~ /^#/) { first = l[i]; break }
              if (first != "zoo.etf" && first != "clean.etf" && first != "erlbasic.etf" && first != "pools.etf" && first != "") print }' findings.test)
{
  echo "# snapshot, then the findings \`check\` must produce (severity rule subject), or (none)"
  for fx in zoo clean erlbasic pools; do
    echo "$fx.etf"
    got=$("$OA" check --json --from $fx.etf | jq -r '.findings[] | "\(.severity) \(.rule) \(.subject.name)"')
    echo "${got:-(none)}"
    echo
  done
  printf '%s\n' "$kept"
} > findings.test
for spec in "zoo.report:report --from zoo.etf zoo" "clean.report:report --from clean.etf clean" \
            "erlbasic.report:report --from erlbasic.etf erlbasic" "zoo.dump:dump --from zoo.etf --no-color" \
            "zoo.check:check --from zoo.etf --no-color" \
            "zoo.sessions.report:report --from zoo.etf Zoo.Sessions" \
            "erlbasic.pool.report:report --from erlbasic.etf erlbasic_pool" \
            "pools.report:report --from pools.etf Pools.System" \
            "diff:diff diff-before.etf diff-after.etf" "diff.json:diff --json diff-before.etf diff-after.etf" \
            "diff.baseline.report:report --from diff-after.etf --baseline diff-before.etf diff_pool"; do
  name=${spec%%:*}; args=${spec#*:}
  { echo "# args: $args"; "$OA" $args 2>&1; } > $name.expected
done
echo "golden files rewritten; review: git diff tests/golden"
