#!/usr/bin/env bash
# Tests only: Mermaid's own CLI (tests/mermaid, pinned by its package-lock.json) into
# tests/mermaid/node_modules, with the machine's Node.js and npm. Puppeteer's own browser
# download cannot be reached from here: the tests use Debian's chromium (puppeteer.json).
set -euo pipefail
dir=$(cd "$(dirname "$0")/../tests/mermaid" && pwd)
cd "$dir"
if [ -x node_modules/.bin/mmdc ] && cmp -s package-lock.json node_modules/.package-lock.json.copy; then exit 0; fi
command -v npm >/dev/null || { echo "install-test-npm: npm is needed (the machine's Node.js)" >&2; exit 2; }
echo "install-test-npm: installing @mermaid-js/mermaid-cli for the tests" >&2
PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null
cp package-lock.json node_modules/.package-lock.json.copy
