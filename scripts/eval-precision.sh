#!/usr/bin/env bash
# Quality per encoder precision on the development sets: NER F1(PER,ORG,LOC) on the
# WikiNEuRal fr/en dev splits and CoNLL-2003 en validation, story B-cubed F1 on the WMT
# newstest2014 fr-en dev pairs, topic NMI on the MasakhaNEWS fr/en dev sets.
#
#   scripts/eval-precision.sh [PRECISION ...]     (default: fp32, then what auto picks)
#
# env: VIGIE (default target/release/vigie), SHARED (default ../shared/data),
#      EVAL_ARGS (extra flags for every eval, e.g. "--embedding-from first-window"),
#      OUT (default target/eval-precision): OUT/PRECISION/*.json and OUT/report.md
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VIGIE="${VIGIE:-target/release/vigie}"
SHARED="${SHARED:-../shared/data}"
EVAL_ARGS="${EVAL_ARGS:-}"
OUT="${OUT:-target/eval-precision}"
if [ ! -d "$SHARED/ner" ]; then
    echo "eval-precision: skipped: shared data not found at $SHARED" >&2
    exit 0
fi
PRECISIONS=("$@")
if [ ${#PRECISIONS[@]} -eq 0 ]; then
    AUTO=$("$VIGIE" model info --json | python3 -c "import json,sys; print(json.load(sys.stdin)['auto_precision'])")
    PRECISIONS=(fp32)
    [ "$AUTO" != fp32 ] && PRECISIONS+=("$AUTO")
fi
NER=(wikineural_fr_val.conllu#dev wikineural_en_val.conllu#dev conll_en_val.conllu)
CLUSTERS=(crosslingual/wmt14_fren_dev.jsonl topics/fra_dev.tsv topics/eng_dev.tsv)
for p in "${PRECISIONS[@]}"; do
    mkdir -p "$OUT/$p"
    for g in "${NER[@]}"; do
        name=${g//#/-}
        echo "eval-precision: $p ner $g" >&2
        # shellcheck disable=SC2086
        "$VIGIE" --quiet eval ner --gold "$SHARED/ner/$g" --precision "$p" $EVAL_ARGS --json > "$OUT/$p/ner-$name.json"
    done
    for g in "${CLUSTERS[@]}"; do
        name=$(basename "$g")
        echo "eval-precision: $p clusters $g" >&2
        # shellcheck disable=SC2086
        "$VIGIE" --quiet eval clusters --gold "$SHARED/$g" --precision "$p" $EVAL_ARGS --json > "$OUT/$p/clusters-$name.json"
    done
done
python3 - "$OUT" "${PRECISIONS[@]}" <<'PY' | tee "$OUT/report.md"
import json, os, sys
out, precisions = sys.argv[1], sys.argv[2:]
ner = ["wikineural_fr_val.conllu-dev", "wikineural_en_val.conllu-dev", "conll_en_val.conllu"]
cl = ["wmt14_fren_dev.jsonl", "fra_dev.tsv", "eng_dev.tsv"]
print("| precision | " + " | ".join(f"NER F1 {n}" for n in ner) + " | WMT stories B3 F1 | topics NMI fr | topics NMI en |")
print("|---" * (1 + len(ner) + 3) + "|")
for p in precisions:
    row = [p]
    for n in ner:
        r = json.load(open(os.path.join(out, p, f"ner-{n}.json")))
        row.append(f"{r['f1_per_org_loc']:.4f}")
    w = json.load(open(os.path.join(out, p, "clusters-wmt14_fren_dev.jsonl.json")))
    row.append(f"{w['stories_bcubed']['f1']:.4f}")
    for n in cl[1:]:
        r = json.load(open(os.path.join(out, p, f"clusters-{n}.json")))
        row.append(f"{r['topics_nmi']:.4f}")
    print("| " + " | ".join(row) + " |")
PY
