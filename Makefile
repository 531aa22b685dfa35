# vigie: two commands do all set-up on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
DEMO_DATA ?= vigie-data-demo
SHARED ?= ../shared/data
VIGIE := target/release/vigie

.PHONY: all build demo test bench eval clean

all: build

build:
	$(CARGO) build --release --locked
	@ls -l $(VIGIE)

demo: build
	rm -rf $(DEMO_DATA)
	$(VIGIE) --data $(DEMO_DATA) ingest data/samples
	@echo; echo '$$ vigie search "stargate OR nvidia" --limit 5'
	$(VIGIE) --data $(DEMO_DATA) search "stargate OR nvidia" --limit 5
	@echo; echo '$$ vigie stats'
	$(VIGIE) --data $(DEMO_DATA) stats

test:
	$(CARGO) test --workspace --locked

eval: build
	$(VIGIE) eval lang --gold $(SHARED)/langid
	$(VIGIE) eval dedup --corpus $(SHARED)/corpus/reuters21578

bench: build
	$(VIGIE) bench ingest --corpus $(SHARED)/corpus/reuters21578

clean:
	rm -rf target $(DEMO_DATA)
