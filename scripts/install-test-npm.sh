#!/usr/bin/env bash
# Tests only, each into its own tests-only folder with the machine's Node.js and npm, pinned
# by that folder's package-lock.json (npm ci; nothing is installed again while the lockfile
# is the one installed):
# - tests/mermaid: Mermaid's own CLI. Puppeteer's own browser download cannot be reached
#   from here: the tests use Debian's chromium (puppeteer.json).
# - tests/mcp: the official MCP clients (@modelcontextprotocol/sdk 1.x and the 2.x
#   @modelcontextprotocol/client) and Ajv, which drive `otp-advisor mcp` (t_mcp.sh).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
npm_install() { # DIR WHAT CHECK: npm ci in DIR unless CHECK exists there and the lockfile is the one installed
  local dir=$1 what=$2 check=$3
  cd "$dir"
  if [ -e "$check" ] && cmp -s package-lock.json node_modules/.package-lock.json.copy; then return 0; fi
  command -v npm >/dev/null || { echo "install-test-npm: npm is needed (the machine's Node.js)" >&2; exit 2; }
  echo "install-test-npm: installing $what for the tests" >&2
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null
  cp package-lock.json node_modules/.package-lock.json.copy
}
npm_install "$top/tests/mermaid" "@mermaid-js/mermaid-cli" node_modules/.bin/mmdc
npm_install "$top/tests/mcp" "the MCP clients (@modelcontextprotocol/sdk, @modelcontextprotocol/client) and ajv" \
  node_modules/@modelcontextprotocol/client/package.json
