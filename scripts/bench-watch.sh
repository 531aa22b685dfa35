#!/usr/bin/env bash
# Per-poll time of `vigie watch` on a 29,000-article data directory: Reuters-21578 bodies
# and HuffPost descriptions (no model stage), then a watch polling a folder every 2 s
# while a batch of 5 new articles lands every 3 s; prints each poll's time.
#
#   scripts/bench-watch.sh [VIGIE_BINARY]     (default target/release/vigie)
#
# env: SHARED (default ../shared/data), OUT (default target/bench-watch)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
V="$(realpath "${1:-target/release/vigie}")"
SHARED="${SHARED:-../shared/data}"
OUT="${OUT:-target/bench-watch}"
rm -rf "$OUT"; mkdir -p "$OUT/in"
python3 - "$SHARED" "$OUT/corpus.jsonl" <<'PY'
import glob, html, json, re, sys
shared, out = sys.argv[1], open(sys.argv[2], "w")
n = 0
for f in sorted(glob.glob(f"{shared}/corpus/reuters21578/reut2-*.sgm")):
    for m in re.finditer(r'<REUTERS[^>]*NEWID="(\d+)"[^>]*>(.*?)</REUTERS>', open(f, encoding="latin-1").read(), re.S):
        title, body = re.search(r"<TITLE>(.*?)</TITLE>", m.group(2), re.S), re.search(r"<BODY>(.*?)</BODY>", m.group(2), re.S)
        if body and n < 30000:
            out.write(json.dumps({"id": "r" + m.group(1), "title": html.unescape(title.group(1)) if title else "", "body": html.unescape(body.group(1)), "source": "reuters"}) + "\n"); n += 1
for i, l in enumerate(open(f"{shared}/corpus/huffpost_news_category_v3.first10k.jsonl")):
    d = json.loads(l)
    if len(d.get("short_description") or "") >= 20 and n < 30000:
        out.write(json.dumps({"id": f"h{i}", "title": d.get("headline", ""), "body": d["short_description"], "source": "huffpost", "published": d.get("date")}) + "\n"); n += 1
print(f"bench-watch: {n} articles", file=sys.stderr)
PY
"$V" --data "$OUT/data" ingest "$OUT/corpus.jsonl" --no-entities --no-alerts -q
( "$V" --data "$OUT/data" watch "$OUT/in" --interval 2s --no-entities --json -q & echo $! > "$OUT/pid"; wait ) > "$OUT/polls.jsonl" &
sleep 0.5
for i in 1 2 3 4 5 6; do
    python3 -c "
import json
for k in range(5): print(json.dumps({'id': 'new-$i-%d' % k, 'title': 'Poll $i article %d about Nvidia' % k, 'body': 'Nvidia and OpenAI said on day $i that data centre number %d of the Stargate plan would open in Texas.' % k}))" > "$OUT/in/batch-$i.jsonl"
    sleep 3
done
kill -INT "$(cat "$OUT/pid")"; sleep 3
python3 -c "
import json, sys
for l in open('$OUT/polls.jsonl'):
    p = json.loads(l)
    print(f\"poll {p['poll']}: indexed {p['indexed']}, {p['seconds']:.3f} s\")"
