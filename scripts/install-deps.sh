#!/usr/bin/env bash
# Install what otp-advisor needs to build, test and run its demo, idempotently.
# Debian 12: erlang-dev (ei), erlang-nox (erl, erlc, epmd), elixir (fixtures),
# libedit-dev (shell), libjansson-dev (the MCP server parses JSON with it), libssl-dev (TLS
# distribution), openssh-client (--ssh), erlang-ssl (TLS fixtures), libcmocka-dev
# (unit tests), make/gcc, procps, jq, expect and cmark-gfm (tests),
# erlang-yaws, erlang-poolboy, erlang-lager, erlang-mochiweb, erlang-folsom and
# erlang-p1-cache-tab (real systems in tests/corpus).
set -euo pipefail
need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
pkgs=(erlang-dev erlang-nox erlang-ssl elixir libedit-dev libjansson-dev libssl-dev openssh-client libcmocka-dev gcc make procps jq expect cmark-gfm
      erlang-yaws erlang-poolboy erlang-lager erlang-mochiweb erlang-folsom erlang-p1-cache-tab)   # erlang-yaws on: tests/corpus
[ "${1:-}" = fuzz ] && pkgs+=(clang)          # make fuzz: libFuzzer
[ "${1:-}" = test ] && pkgs+=(clang-format tmux dpkg-dev lintian mandoc man-db graphviz chromium openssl openssh-server)   # make test: format, screen, package, dot, mermaid, TLS, SSH
[ "${1:-}" = deb ] && pkgs+=(dpkg-dev lintian mandoc)   # make deb
for p in "${pkgs[@]}"; do
  have_pkg "$p" || need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${need[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root to install ${need[*]}" >&2; exit 2; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
