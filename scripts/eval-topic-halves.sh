#!/usr/bin/env bash
# Topic NMI on held-back halves of the MasakhaNEWS dev sets: each dev set is split in
# two fixed halves by the SHA-256 of the article's url (the headline when there is none):
# an even first byte puts the article in half A (where topic settings may be tuned), an
# odd one in half B (held back: never tuned on). Each half is ingested alone by
# `vigie eval clusters`, so that B is scored as a corpus the settings have not seen.
#
#   scripts/eval-topic-halves.sh            (splits, runs the four evals, prints a table)
#   scripts/eval-topic-halves.sh --split    (only writes the halves)
#
# env: VIGIE (default target/release/vigie, else target/debug/vigie), SHARED (default ../shared/data),
#      OUT (default target/topic-halves): OUT/{fra,eng}_dev_{a,b}.tsv, OUT/*.json, OUT/report.md
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VIGIE="${VIGIE:-target/release/vigie}"
[ -x "$VIGIE" ] || VIGIE=target/debug/vigie
SHARED="${SHARED:-../shared/data}"
OUT="${OUT:-target/topic-halves}"
if [ ! -f "$SHARED/topics/fra_dev.tsv" ]; then
    echo "eval-topic-halves: skipped: $SHARED/topics/fra_dev.tsv not found" >&2
    exit 0
fi
mkdir -p "$OUT"
python3 - "$SHARED/topics" "$OUT" <<'PY'
import csv, hashlib, os, sys
src, out = sys.argv[1], sys.argv[2]
csv.field_size_limit(1 << 30)
for lang in ("fra", "eng"):
    with open(os.path.join(src, f"{lang}_dev.tsv"), newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    head, rows = rows[0], rows[1:]
    key = head.index("url") if "url" in head else None
    halves = {"a": [], "b": []}
    for r in rows:
        k = (r[key] if key is not None and r[key] else r[1]).encode("utf-8")
        halves["a" if hashlib.sha256(k).digest()[0] % 2 == 0 else "b"].append(r)
    for h, part in halves.items():
        with open(os.path.join(out, f"{lang}_dev_{h}.tsv"), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, delimiter="\t", lineterminator="\n")
            w.writerow(head)
            w.writerows(part)
        print(f"eval-topic-halves: {lang} half {h}: {len(part)} articles", file=sys.stderr)
PY
[ "${1:-}" = --split ] && exit 0
for lang in fra eng; do
    for h in a b; do
        echo "eval-topic-halves: $lang half $h" >&2
        "$VIGIE" --quiet eval clusters --gold "$OUT/${lang}_dev_$h.tsv" --json > "$OUT/${lang}_dev_$h.json"
    done
done
python3 - "$OUT" <<'PY' | tee "$OUT/report.md"
import json, os, sys
out = sys.argv[1]
print("| set | half A (tuning) NMI | topics | half B (held back) NMI | topics |")
print("|---|---:|---:|---:|---:|")
for lang in ("fra", "eng"):
    row = [f"{lang}_dev"]
    for h in ("a", "b"):
        r = json.load(open(os.path.join(out, f"{lang}_dev_{h}.json")))
        row += [f"{r['topics_nmi']:.4f} ({r['articles']} articles)", str(r["topics"])]
    print("| " + " | ".join(row) + " |")
PY
