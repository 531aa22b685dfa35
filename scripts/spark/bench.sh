#!/usr/bin/env bash
# articles/s of the Spark job with 1 and with 2 workers, beside vigie alone, on the same
# N real articles (MasakhaNEWS dev and WMT newstest2014 dev documents from ../shared/data,
# French and English alternating: long news articles):
#
#   scripts/spark/bench.sh [--articles N] [--partitions-per-worker K] [--ceiling M] [--work DIR]
#
# Rows: `vigie ingest` alone (one process, everything); `vigie enrich` alone (one process,
# the stateless part) and `vigie ingest --enriched` of its output (the ordered stages
# alone, no model: the ceiling of any scale-out); the Spark job on a standalone cluster
# of 1 and of 2 one-core workers (K partitions per worker, default 1: one model load
# each), its Spark stage and ordered stage apart, and the whole job with Spark's
# start-up. Each vigie process's peak RSS where it runs alone (/usr/bin/time).
# --ceiling M (default 0: skipped): the ordered stage's own rate at scale, on M Reuters-21578
# articles (bodies over 500 characters) enriched once by one `vigie enrich` on all cores.
# env: VIGIE (default target/release/vigie), SHARED (default ../shared/data), VIGIE_MODELS.
# Writes WORK/report.md (default WORK target/spark-bench) and prints it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
VIGIE=${VIGIE:-target/release/vigie}
SHARED=${SHARED:-../shared/data}
N=400
K=1
CEILING=0
WORK=target/spark-bench
while [ $# -gt 0 ]; do
    case "$1" in
        --articles) N=${2:?--articles needs a number}; shift 2 ;;
        --partitions-per-worker) K=${2:?--partitions-per-worker needs a number}; shift 2 ;;
        --ceiling) CEILING=${2:?--ceiling needs a number}; shift 2 ;;
        --work) WORK=${2:?--work needs a directory}; shift 2 ;;
        -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-spark: unknown argument: $1" >&2; exit 1 ;;
    esac
done
[ -x "$VIGIE" ] || { echo "bench-spark: $VIGIE: no vigie binary (make build)" >&2; exit 1; }
[ -d "$SHARED/topics" ] || { echo "bench-spark: $SHARED: no shared data" >&2; exit 1; }
VIGIE=$(realpath "$VIGIE")
rm -rf "$WORK"
mkdir -p "$WORK"
WORK=$(realpath "$WORK")
export SPARK_RUN_DIR="$WORK/cluster"
trap 'scripts/spark/cluster.sh stop >/dev/null 2>&1 || true' EXIT

python3 - "$SHARED" "$N" "$WORK/articles.jsonl" <<'PY'
import json, os, sys
sys.path.insert(0, "scripts/spark")
from test_spark import read_tsv
shared, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
fr = [{"id": f"mn-fr-{i}", "title": r["headline"], "body": r["text"], "url": r["url"], "source": "BBC Afrique"} for i, r in enumerate(read_tsv(os.path.join(shared, "topics", "fra_dev.tsv"), 10**6))]
en = [{"id": f"mn-en-{i}", "title": r["headline"], "body": r["text"], "url": r["url"], "source": "BBC News"} for i, r in enumerate(read_tsv(os.path.join(shared, "topics", "eng_dev.tsv"), 10**6))]
with open(os.path.join(shared, "crosslingual", "wmt14_fren_dev.jsonl"), encoding="utf-8") as f:
    for line in f:
        d = json.loads(line)
        (fr if d["lang"] == "fr" else en).append({"id": d["id"], "title": d["title"], "body": d["body"], "source": "WMT newstest"})
recs = [r for pair in zip(fr, en) for r in pair] + fr[len(en):] + en[len(fr):]
if n > len(recs):
    sys.exit(f"bench-spark: only {len(recs)} articles available, asked for {n}")
with open(out, "w", encoding="utf-8") as f:
    for r in recs[:n]:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
words = sum(len((r["title"] + " " + r["body"]).split()) for r in recs[:n])
print(f"bench-spark: {n} articles, {words} words in {out}", file=sys.stderr)
PY

# timed ROW CMD...: seconds and peak RSS (MB) of one command, into WORK/ROW.time
timed() {
    local row=$1
    shift
    /usr/bin/time -f '%e %M' -o "$WORK/$row.time" "$@"
}

echo "bench-spark: vigie ingest alone" >&2
timed ingest "$VIGIE" --data "$WORK/plain" ingest --quiet --json "$WORK/articles.jsonl" >"$WORK/ingest.json"
echo "bench-spark: vigie enrich alone, then vigie ingest --enriched of its output" >&2
timed enrich "$VIGIE" enrich --quiet "$WORK/articles.jsonl" --out "$WORK/enriched.jsonl"
timed ordered "$VIGIE" --data "$WORK/ordered" ingest --enriched "$WORK/enriched.jsonl" --quiet --json >"$WORK/ordered.json"

for w in 1 2; do
    echo "bench-spark: the Spark job on $w worker(s), $((w * K)) partitions" >&2
    scripts/spark/cluster.sh start --workers "$w" --cores 1 >&2
    start=$(date +%s.%N)
    scripts/spark/submit.sh scripts/spark/enrich.py "$WORK/articles.jsonl" --out "$WORK/out-$w" --data "$WORK/spark-$w" \
        --partitions $((w * K)) --vigie "$VIGIE" --summary-json "$WORK/spark-$w.json" >"$WORK/spark-$w.log" 2>&1 || {
        tail -20 "$WORK/spark-$w.log" >&2
        exit 1
    }
    echo "$(date +%s.%N) $start" | awk '{print $1 - $2}' >"$WORK/spark-$w.wall"
    scripts/spark/cluster.sh stop >&2
done

if [ "$CEILING" -gt 0 ]; then
    echo "bench-spark: the ordered stage alone on $CEILING Reuters articles (enriched first)" >&2
    python3 - "$SHARED" "$CEILING" "$WORK/reuters.jsonl" <<'PY'
import json, sys
sys.path.insert(0, "scripts")
from bench_enrich import english_articles
shared, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
arts = english_articles(shared, n)
with open(out, "w", encoding="utf-8") as f:
    for a in arts:
        f.write(json.dumps(a, ensure_ascii=False) + "\n")
print(f"bench-spark: {len(arts)} Reuters articles in {out}", file=sys.stderr)
PY
    timed ceiling-enrich "$VIGIE" enrich --quiet "$WORK/reuters.jsonl" --out "$WORK/reuters.enriched.jsonl"
    timed ceiling "$VIGIE" --data "$WORK/ceiling" ingest --enriched "$WORK/reuters.enriched.jsonl" --quiet --json >"$WORK/ceiling.json"
fi

python3 - "$WORK" "$N" <<'PY' | tee "$WORK/report.md"
import json, os, subprocess, sys
work, n = sys.argv[1], int(sys.argv[2])
def timed(row):
    s, rss = open(os.path.join(work, row + ".time")).read().split()[-2:]
    return float(s), int(rss) // 1024
rows = []
s, rss = timed("ingest")
rows.append(("`vigie ingest` alone (1 process, all stages)", s, n / s, f"{rss:,} MB"))
s, rss = timed("enrich")
rows.append(("`vigie enrich` alone (1 process, stateless stages)", s, n / s, f"{rss:,} MB"))
s, rss = timed("ordered")
rows.append(("`vigie ingest --enriched` of its output (ordered stages, no model)", s, n / s, f"{rss:,} MB"))
for w in (1, 2):
    j = json.load(open(os.path.join(work, f"spark-{w}.json")))
    wall = float(open(os.path.join(work, f"spark-{w}.wall")).read())
    rows.append((f"Spark, {w} worker(s) x 1 core, {j['partitions']} partition(s): Spark stage", j["spark_seconds"], j["spark_articles_per_s"], ""))
    rows.append((f"Spark, {w} worker(s): ordered stage (driver)", j["ordered_seconds"], j["ordered_articles_per_s"], ""))
    rows.append((f"Spark, {w} worker(s): whole job incl. Spark start-up", wall, n / wall, ""))
if os.path.exists(os.path.join(work, "ceiling.time")):
    m = sum(1 for _ in open(os.path.join(work, "reuters.jsonl")))
    s, rss = timed("ceiling-enrich")
    rows.append((f"`vigie enrich` alone, {m:,} Reuters articles", s, m / s, f"{rss:,} MB"))
    s, rss = timed("ceiling")
    rows.append((f"`vigie ingest --enriched` of them: the ordered stage's ceiling", s, m / s, f"{rss:,} MB"))
cpu = subprocess.run(["sh", "-c", "lscpu | sed -n 's/^Model name: *//p'"], capture_output=True, text=True).stdout.strip()
flags = subprocess.run(["sh", "-c", "lscpu | grep -o 'avx512_bf16\\|avx512f\\|avx512_vnni\\|avx2\\|amx_tile' | sort -u | tr '\\n' ' '"], capture_output=True, text=True).stdout.strip()
load = open("/proc/loadavg").read().split()[:3]
print(f"{n} articles; {os.cpu_count()} cores ({cpu}; {flags}); load average at the end {' '.join(load)}\n")
print("| run | seconds | articles/s | peak RSS |")
print("|---|---:|---:|---:|")
for name, s, rate, rss in rows:
    print(f"| {name} | {s:.1f} | {rate:.2f} | {rss} |")
PY
