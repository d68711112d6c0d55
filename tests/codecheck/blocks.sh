#!/usr/bin/env bash
# blocks.sh — the code blocks otp-advisor printed, in codecheck.exs's format.
#   blocks.sh check CHECK_JSON LABEL   code lines (indented by two) of each recommendation
#   blocks.sh report REPORT_MD LABEL   fenced ```elixir / ```erlang blocks of a report
set -euo pipefail
kind=$1 file=$2 label=$3
case "$kind" in
  check)
    jq -r --arg lab "$label" '(if .elixir_version then "elixir" else "erlang" end) as $l
      | .findings[] | "%%%%REC \($l) \($lab) \(.rule) \(.subject.name)\n\(.recommendation)"' "$file" |
    awk '
      /^%%%%REC / { hdr = substr($0, 9); inb = 0; next }
      /^  / { if (!inb) { print "%%%%BLOCK " hdr; inb = 1 } print substr($0, 3); next }
      { inb = 0 }'
    ;;
  report)
    awk -v label="$label" '
      /^```(elixir|erlang)$/ { lang = substr($0, 4); n++; print "%%%%BLOCK " lang " " label " block " n; inb = 1; next }
      /^```/ { inb = 0; next }
      inb { print }' "$file"
    ;;
  *) echo "usage: blocks.sh check|report FILE LABEL" >&2; exit 2 ;;
esac
