#!/usr/bin/env bash
# make fuzz: runs every parser fuzz target (fuzz/fuzz_targets/, functions in
# fuzz-targets/src/lib.rs) under libFuzzer for FUZZ_SECONDS each, one after the other.
#
#   FUZZ_SECONDS=60           time per target (libFuzzer -max_total_time)
#   FUZZ_TARGETS="feed html"  a subset (default: all, in the order below)
#   FUZZ_SANITIZER=none       cargo fuzz --sanitizer (none by default: see below)
#   FUZZ_TOOLCHAIN=stable     force a toolchain (default: nightly when installed)
#   FUZZ_KEEP_GOING=1         libFuzzer fork mode: go on after a crash (default: stop)
#
# Installs cargo-fuzz into .tools/cargo once. Uses the nightly toolchain when one is
# installed, else the stable one with RUSTC_BOOTSTRAP=1 (cargo fuzz needs -Z flags).
# Each target starts from its committed seeds (fuzz/seeds/TARGET/, never written to),
# copied into a scratch corpus under target/fuzz-corpus/TARGET/ that later runs keep
# growing. A crash, a hang over 10 s (-timeout=10) or an input that needs more than
# 2 GB (libFuzzer's -rss_limit_mb) stops that target and leaves the input in
# fuzz/artifacts/TARGET/ (git-ignored); the script goes on with the next target and
# exits 1 at the end. While a known crash is unfixed, FUZZ_KEEP_GOING=1 runs libFuzzer
# in fork mode (-fork=1 -ignore_crashes=1 ...) so that it does not hide the others. Keep a crash as fuzz/regressions/TARGET/NAME (a descriptive
# name) and `make test` runs it from then on.
#
# The sanitizer is off by default: the code under test is safe Rust, whose failures
# (panics, stack overflows, hangs, memory growth) libFuzzer catches without one, and
# one build configuration serves both toolchains. FUZZ_SANITIZER=address works with
# nightly.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
ALL_TARGETS="jsonl feed digest html sniff dates query"
FUZZ_TARGETS=${FUZZ_TARGETS:-$ALL_TARGETS}
FUZZ_SANITIZER=${FUZZ_SANITIZER:-none}

# the pipeline links libtorch (tch): the same one the Makefile sets up
export LIBTORCH=${LIBTORCH:-$ROOT/.tools/libtorch}
export LIBTORCH_CXX11_ABI=${LIBTORCH_CXX11_ABI:-0}
case ":${LD_LIBRARY_PATH:-}:" in
    *":$LIBTORCH/lib:"*) ;;
    *) export LD_LIBRARY_PATH="$LIBTORCH/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ;;
esac
if [ ! -d "$LIBTORCH/lib" ]; then
    echo "fuzz: no libtorch in $LIBTORCH (run make libtorch)" >&2
    exit 2
fi

TOOLS=$ROOT/.tools/cargo
if [ ! -x "$TOOLS/bin/cargo-fuzz" ]; then
    echo "fuzz: installing cargo-fuzz into $TOOLS"
    cargo install --root "$TOOLS" cargo-fuzz --locked
fi
export PATH="$TOOLS/bin:$PATH"

FUZZ_TOOLCHAIN=${FUZZ_TOOLCHAIN:-}
if [ -z "$FUZZ_TOOLCHAIN" ] && command -v rustup >/dev/null && rustup toolchain list | grep -q '^nightly'; then
    FUZZ_TOOLCHAIN=nightly
fi
if [ "$FUZZ_TOOLCHAIN" = nightly ]; then
    CARGO=(cargo +nightly)
    TOOLCHAIN=nightly
else
    if command -v rustup >/dev/null; then CARGO=(cargo +stable); else CARGO=(cargo); fi
    export RUSTC_BOOTSTRAP=1
    TOOLCHAIN="stable with RUSTC_BOOTSTRAP=1"
    if [ "$FUZZ_SANITIZER" != none ]; then
        echo "fuzz: FUZZ_SANITIZER=$FUZZ_SANITIZER needs nightly; using none" >&2
        FUZZ_SANITIZER=none
    fi
fi
# release with debug assertions (overflow checks, like the test builds), no sanitizer
FLAGS=(--sanitizer "$FUZZ_SANITIZER" --debug-assertions)

max_len() {
    case $1 in
        feed | html) echo 262144 ;;
        jsonl | digest | sniff) echo 65536 ;;
        dates) echo 512 ;;
        query) echo 4096 ;;
        *) echo 65536 ;;
    esac
}

for t in $FUZZ_TARGETS; do
    case " $ALL_TARGETS " in
        *" $t "*) ;;
        *) echo "fuzz: unknown target $t (targets: $ALL_TARGETS)" >&2; exit 2 ;;
    esac
done

start=$SECONDS
echo "fuzz: building the targets ($TOOLCHAIN, sanitizer $FUZZ_SANITIZER)"
if [ "$FUZZ_TARGETS" = "$ALL_TARGETS" ]; then
    (cd fuzz && "${CARGO[@]}" fuzz build "${FLAGS[@]}")
else
    for t in $FUZZ_TARGETS; do (cd fuzz && "${CARGO[@]}" fuzz build "${FLAGS[@]}" "$t"); done
fi
echo "fuzz: built in $((SECONDS - start)) s; $FUZZ_SECONDS s per target"

LOGS=$ROOT/target/fuzz-logs
mkdir -p "$LOGS"
failed=()
results=()
for t in $FUZZ_TARGETS; do
    corpus=$ROOT/target/fuzz-corpus/$t
    mkdir -p "$corpus" "fuzz/artifacts/$t"
    cp -n fuzz/seeds/"$t"/* "$corpus"/ 2>/dev/null || true
    log=$LOGS/$t.log
    before=$(ls "fuzz/artifacts/$t" | wc -l)
    keep_going=()
    if [ "${FUZZ_KEEP_GOING:-0}" = 1 ]; then
        keep_going=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    fi
    rc=0
    (cd fuzz && "${CARGO[@]}" fuzz run "${FLAGS[@]}" "$t" "$corpus" -- \
        -max_total_time="$FUZZ_SECONDS" -max_len="$(max_len "$t")" -timeout=10 \
        -artifact_prefix="$ROOT/fuzz/artifacts/$t/" -print_final_stats=1 "${keep_going[@]}") >"$log" 2>&1 || rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
    if [ -z "$execs" ]; then
        execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)
    fi
    files=$(ls "$corpus" | wc -l)
    new=$(($(ls "fuzz/artifacts/$t" | wc -l) - before))
    if [ "$rc" -eq 0 ] && [ "$new" -eq 0 ]; then
        line="fuzz $t: ok, ${execs:-?} runs in ${FUZZ_SECONDS} s, corpus $files files"
    else
        artifact=$(grep -oE "Test unit written to [^ ]+" "$log" | tail -1 | sed 's/Test unit written to //' || true)
        what=$(grep -oE "panicked at [^:]+:[0-9]+|has overflowed its stack|ERROR: libFuzzer: (timeout|out-of-memory|deadly signal)" "$log" | sort | uniq -c | sort -rn | awk '{$1=$1; print}' | paste -sd ';' - || true)
        line="fuzz $t: CRASH, $new new inputs in ${execs:-?} runs (${what:-exit $rc}), last ${artifact:-not saved} (log: $log)"
        failed+=("$t")
    fi
    results+=("$line")
    echo "$line"
done

echo
printf '%s\n' "${results[@]}"
echo "fuzz: $((SECONDS - start)) s in all"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: crashes in ${failed[*]}: inputs in fuzz/artifacts/; keep each as fuzz/regressions/TARGET/NAME" >&2
    exit 1
fi
