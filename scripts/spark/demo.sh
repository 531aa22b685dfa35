#!/usr/bin/env bash
# make spark-demo: a standalone Spark cluster on 127.0.0.1 (a master, two 1-core
# workers), the enrichment of data/samples fanned out over it by scripts/spark/enrich.py,
# the ordered stages on this machine, a look at the result, and the cluster stopped
# whatever happens (trap).
#
# env: VIGIE (default target/release/vigie), VIGIE_MODELS (the Makefile sets it),
#      SPARK_DEMO_DIR (default target/spark-demo: part files in out/, data directory in data/)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
VIGIE=${VIGIE:-target/release/vigie}
DIR=${SPARK_DEMO_DIR:-target/spark-demo}
DATA="$DIR/data"

trap 'scripts/spark/cluster.sh stop' EXIT
scripts/spark/cluster.sh start --workers 2 --cores 1
rm -rf "$DATA"
echo
echo "\$ scripts/spark/submit.sh scripts/spark/enrich.py data/samples --out $DIR/out --data $DATA --partitions 4"
scripts/spark/submit.sh scripts/spark/enrich.py data/samples --out "$DIR/out" --overwrite --data "$DATA" \
    --partitions 4 --vigie "$VIGIE"
echo
echo "\$ ls $DIR/out   # the enriched part files (enriched.v1), in input order"
ls "$DIR/out"
echo
echo "\$ vigie --data $DATA stats"
"$VIGIE" --data "$DATA" stats
echo
echo "\$ vigie --data $DATA stories --order size --top 5"
"$VIGIE" --data "$DATA" stories --order size --top 5
echo
echo "\$ vigie --data $DATA entities --top 10"
"$VIGIE" --data "$DATA" entities --top 10
echo
echo "the same documents as make demo's vigie ingest data/samples; vigie --data $DATA ... reads them"
