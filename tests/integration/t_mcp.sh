#!/usr/bin/env bash
# otp-advisor mcp, driven by the official MCP clients (tests/mcp, pinned by its lockfile):
# the 1.x SDK's Client over StdioClientTransport (revision 2025-11-25) and the 2.x client,
# with its default negotiation and pinned to 2026-07-28. Each lists the tools, calls every
# one on the live zoo, the clean node and a corpus system (corpus_pool), and every
# structuredContent is validated against its tool's outputSchema with Ajv (draft-07 and
# 2020-12). A collection is cancelled midway (the probe is removed, the next call works);
# the node is killed between two calls (isError, ping answers, connect to it restarted
# works); bad requests (an unknown tool, wrong types, a 10 MB line, invalid UTF-8, a request
# before initialize, …) get their protocol errors and the server stays up. ASan build.
# Against the do-nothing stand-in (NOTHING_CHECK=1) every request fails as soon as the
# program has exited (test.mjs), so the whole test takes seconds beyond the nodes' start;
# test.mjs prints "honest ok" for a check that reads only an exit status.
. "$(dirname "$0")/lib.sh"
M=$TOP/tests/mcp
if [ ! -d "$M/node_modules/@modelcontextprotocol/sdk" ] || [ ! -d "$M/node_modules/@modelcontextprotocol/client" ]; then
  not_ok "tests/mcp has its clients (scripts/install-test-npm.sh installs them)"
  finish
  exit 1
fi
start_fixture zoo ZOO
start_fixture clean CLEAN
start_fixture corpus_pool CORPUS
STARTED=$(tmpfile started)
export OA TOP ERL_CALL MCP_STARTED=$STARTED
export ZOO_NODE ZOO_COOKIE ZOO_DIR CLEAN_NODE CLEAN_COOKIE CLEAN_DIR CORPUS_NODE CORPUS_COOKIE CORPUS_DIR
# each phase in its own run, so that one that hangs is cut alone and the others still run
for phase in raw sdk1 sdk2 modern corpus clean kill; do
  out=$(cd "$M" && bounded 600 node test.mjs "$phase" 2>&1); rc=$?
  [ $rc -eq 0 ] || not_ok "test.mjs $phase exits 0 (exit $rc)" "$(tail -20 <<<"$out")"
  detail=""; desc=""
  while IFS= read -r line; do
    case "$line" in
      "ok "*) [ -n "$desc" ] && not_ok "$desc" "$detail"; desc=""; ok "${line#ok }" ;;
      "honest ok "*) [ -n "$desc" ] && not_ok "$desc" "$detail"; desc=""; honest ok "${line#honest ok }" ;;
      "not ok "*) [ -n "$desc" ] && not_ok "$desc" "$detail"; desc=${line#not ok }; detail="" ;;
      "  "*) [ -n "$desc" ] && detail+="${line#  }"$'\n' ;;
      "# "*) [ -n "$desc" ] && not_ok "$desc" "$detail"; desc=""; echo "  note  ${line#\# }" ;;
    esac
  done <<<"$out"
  [ -n "$desc" ] && not_ok "$desc" "$detail"
  # the nodes a phase started (the restarted clean node): stopped and checked like ours
  while IFS= read -r d; do [ -n "$d" ] && _FIXTURE_DIRS+=("$d"); done <"$STARTED"
  : >"$STARTED"
done
finish
