#!/usr/bin/env bash
# spark-submit with this project's Spark (scripts/setup-spark.sh), its defaults and
# logging (scripts/spark/conf), against the cluster that cluster.sh started (or the
# --master given first), e.g.
#   scripts/spark/submit.sh scripts/spark/enrich.py data/samples --out target/spark-out --data vigie-data-spark
#   scripts/spark/submit.sh --master local[2] scripts/spark/enrich.py ...
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
spark_env
if [ "${1:-}" = --master ]; then
    exec "$SPARK_HOME/bin/spark-submit" "$@"
fi
URL_FILE=${SPARK_RUN_DIR:-$SPARK_ROOT/target/spark-cluster}/url
[ -f "$URL_FILE" ] || { echo "submit: no cluster running (scripts/spark/cluster.sh start), or give --master first" >&2; exit 1; }
exec "$SPARK_HOME/bin/spark-submit" --master "$(cat "$URL_FILE")" "$@"
