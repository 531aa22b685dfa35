# Sourced by the Spark scripts: the pinned pyspark, its venv, and a Java that Spark
# 3.5 runs on (17 preferred; 11 and 21 accepted). Sets nothing but functions and
# variables; no output.
PYSPARK_VERSION=3.5.6
SPARK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SPARK_VENV=${SPARK_VENV:-$SPARK_ROOT/.tools/venv-spark}

# the major version of a java binary ("17"), empty when it does not run
spark_java_version() {
    "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\)[."].*/\1/p' | head -1
}

spark_java_ok() {
    case "$(spark_java_version "$1")" in 11 | 17 | 21) return 0 ;; *) return 1 ;; esac
}

# exports JAVA_HOME: a JAVA_HOME that works, else a JDK 17 under /usr/lib/jvm, else the
# java on PATH (Spark 3.5 refuses newer ones such as 25, which some machines default to)
spark_find_java() {
    local cand
    if [ -n "${JAVA_HOME:-}" ] && spark_java_ok "$JAVA_HOME/bin/java"; then
        export JAVA_HOME
        return 0
    fi
    for cand in /usr/lib/jvm/java-17-openjdk-* /usr/lib/jvm/*-17-* /usr/lib/jvm/java-21-openjdk-* /usr/lib/jvm/*-11-*; do
        if [ -x "$cand/bin/java" ] && spark_java_ok "$cand/bin/java"; then
            export JAVA_HOME="$cand"
            return 0
        fi
    done
    if command -v java >/dev/null 2>&1; then
        cand="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
        if spark_java_ok "$cand/bin/java"; then
            export JAVA_HOME="$cand"
            return 0
        fi
    fi
    return 1
}

# exports SPARK_HOME (the pyspark package, which holds bin/spark-class and jars/),
# SPARK_CONF_DIR, PYSPARK_PYTHON and JAVA_HOME; fails with one line when setup-spark.sh has not run
spark_env() {
    if [ ! -x "$SPARK_VENV/bin/python" ]; then
        echo "spark: no venv at $SPARK_VENV: run scripts/setup-spark.sh" >&2
        return 1
    fi
    spark_find_java || { echo "spark: no Java 17 found: run scripts/setup-spark.sh" >&2; return 1; }
    SPARK_HOME="$("$SPARK_VENV/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')" || return 1
    export SPARK_HOME
    export PYSPARK_PYTHON="$SPARK_VENV/bin/python" PYSPARK_DRIVER_PYTHON="$SPARK_VENV/bin/python"
    export PATH="$SPARK_VENV/bin:$PATH"
    # the driver and workers bind to loopback (the machine's hostname may not resolve)
    export SPARK_LOCAL_IP=${SPARK_LOCAL_IP:-127.0.0.1}
    # the defaults and logging of scripts/spark/conf (daemons, spark-submit)
    export SPARK_CONF_DIR=${SPARK_CONF_DIR:-$SPARK_ROOT/scripts/spark/conf}
}
