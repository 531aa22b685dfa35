#!/usr/bin/env bash
# Builds data/background/{en,fr}.tsv, the general-language word frequencies that topic
# labels are weighed against (a term common everywhere, "announced" or "annoncé", says
# little about a topic). Source: the `wordfreq` package (PyPI, pinned below), whose
# frequencies blend Wikipedia, news, books, subtitles and web text; its data is CC BY-SA
# 4.0 (see data/README.md). Words of letters only (inner ' and - allowed) at or above
# Zipf 3.0 (one per million words), grouped by Zipf value rounded to 0.1: one line
# `ZIPF<TAB>word word ...`. Python is used here only; vigie reads the files it writes.
#
#   scripts/build-background.sh      (needs python3 with venv and the PyPI registry)
#
# env: VENV (default .tools/venv-background), WORDFREQ (default 3.1.1), MIN_ZIPF (3.0)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${VENV:-.tools/venv-background}"
WORDFREQ="${WORDFREQ:-3.1.1}"
MIN_ZIPF="${MIN_ZIPF:-3.0}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet "wordfreq==$WORDFREQ"
mkdir -p data/background
"$VENV/bin/python" - "$WORDFREQ" "$MIN_ZIPF" <<'PY'
import math, re, sys
import wordfreq
version, min_zipf = sys.argv[1], float(sys.argv[2])
word = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
names = {"en": "English", "fr": "French"}
for lang in ("en", "fr"):
    bins = {}
    for w, f in wordfreq.get_frequency_dict(lang, wordlist="large").items():
        if f <= 0 or not word.fullmatch(w):
            continue
        z = round(math.log10(f) + 9, 1)
        if z >= min_zipf:
            bins.setdefault(z, []).append(w)
    path = f"data/background/{lang}.tsv"
    with open(path, "w", encoding="utf-8") as out:
        out.write(f"# {names[lang]} background word frequencies for topic labels: wordfreq {version} (PyPI), large list,\n")
        out.write(f"# words of letters at Zipf >= {min_zipf} (log10 of occurrences per billion words), one line per Zipf value.\n")
        out.write("# Data CC BY-SA 4.0 (wordfreq by Robyn Speer et al.); built by scripts/build-background.sh.\n")
        for z in sorted(bins, reverse=True):
            out.write(f"{z:.1f}\t{' '.join(sorted(bins[z]))}\n")
    print(f"{path}: {sum(map(len, bins.values()))} words", file=sys.stderr)
PY
