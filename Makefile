# The two front-door commands (see README.md). Both do their own set-up on a fresh machine.
SHELL := /bin/bash
PAPERDEX := target/release/paperdex
SAMPLE_INDEX := index/sample

.PHONY: demo test models build bench

# Index the bundled sample and search it.
demo: models build
	rm -rf $(SAMPLE_INDEX)
	$(PAPERDEX) --index $(SAMPLE_INDEX) ingest tests/fixtures/sample
	$(PAPERDEX) --index $(SAMPLE_INDEX) search "KV cache quantization"
	$(PAPERDEX) --index $(SAMPLE_INDEX) search "强化学习 奖励模型" --limit 5

# Every test: unit, integration, end-to-end CLI/HTTP/browser; first what a reviewer checks:
# formatting, clippy with warnings as errors, and no declared dependency left unused.
test: models
	cargo fmt --check
	cargo clippy --release --workspace --all-targets -- -D warnings
	tests/unused-deps
	tests/setup
	cargo build --release -p paperdex-cli
	cargo test --release --workspace

models:
	models/fetch

build:
	cargo build --release -p paperdex-cli

bench: models
	cargo bench --workspace
