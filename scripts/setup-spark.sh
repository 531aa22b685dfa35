#!/usr/bin/env bash
# Apache Spark for the scale-out job (make spark-demo, make test-spark): pyspark from PyPI
# at a pinned version in its own venv (default .tools/venv-spark; the wheel carries
# Spark's jars and bin/spark-class, so the standalone master and workers run from it),
# and a Java 17 runtime (Debian's openjdk-17-jre-headless through apt-get, as root, when
# none is found). Idempotent: a second run only checks. Prints nothing else on success
# but one line per component.
#
#   scripts/setup-spark.sh [VENV_DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV=${1:-$ROOT/.tools/venv-spark}
# shellcheck source=spark/env.sh
source "$ROOT/scripts/spark/env.sh"

if ! spark_find_java; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup-spark: no Java 17 found: installing openjdk-17-jre-headless with apt-get" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless
        spark_find_java || { echo "setup-spark: java 17 still not found after apt-get" >&2; exit 1; }
    else
        echo "setup-spark: no Java 17 found (set JAVA_HOME, or install openjdk-17 as root)" >&2
        exit 1
    fi
fi
echo "setup-spark: java $(spark_java_version "$JAVA_HOME/bin/java") at $JAVA_HOME"

STAMP="$VENV/.vigie-pyspark-$PYSPARK_VERSION"
if [ ! -f "$STAMP" ]; then
    echo "setup-spark: installing pyspark==$PYSPARK_VERSION from PyPI into $VENV (about 320 MB)" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "pyspark==$PYSPARK_VERSION"
    touch "$STAMP"
fi
# a venv moved or half-removed is redone next time rather than trusted
if ! "$VENV/bin/python" -c 'import pyspark, sys; sys.exit(pyspark.__version__ != sys.argv[1])' "$PYSPARK_VERSION" 2>/dev/null; then
    rm -f "$STAMP"
    echo "setup-spark: $VENV has no working pyspark $PYSPARK_VERSION: run again" >&2
    exit 1
fi
echo "setup-spark: pyspark $PYSPARK_VERSION in $VENV"
