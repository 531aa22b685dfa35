#!/usr/bin/env bash
# Main-text extraction benchmark (issue 16): generated article pages wrapping the
# shared corpora's real texts, vigie beside trafilatura 2.x on the same pages.
#   scripts/bench-pages.sh [OUT_DIR]        (default /tmp/vigie-pages)
# trafilatura lives in a throwaway venv under .tools/ (never a vigie dependency).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/vigie-pages}"
venv="${VIGIE_TRAFILATURA_VENV:-.tools/venv-trafilatura}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'trafilatura>=2,<3' lxml_html_clean
fi
rm -rf "$out"
python3 scripts/make-pages.py --out "$out" --seed 16
"$venv/bin/python" scripts/trafilatura-pages.py --pages "$out"
cargo run -q -p vigie-bench -- pages --pages "$out" --by-template
