# Developer entry points. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: setup demo test lint bench

# System packages, .venv, npm harness packages, demo clip (idempotent; ~1 s when done).
setup:
	scripts/setup.sh

demo: setup
	mkdir -p out
	$(VENV)/bin/ecg-render render examples/demo_scenario.json out/demo_input.mp4 -o out/demo.mp4

# A throwaway redis-server on a free loopback port (REDIS_URL) lives exactly as long as pytest.
# Prints the suite's wall time last, whatever the outcome.
test: setup
	@start=$$(date +%s); status=0; \
	scripts/start_redis.sh $(PY) -m pytest -q $(PYTEST_ARGS) || status=$$?; \
	elapsed=$$(( $$(date +%s) - start )); \
	printf 'make test: wall time %dm%02ds (exit %d)\n' $$((elapsed / 60)) $$((elapsed % 60)) $$status; \
	exit $$status

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Benchmark (benchmarks/RESULTS.md): e.g. make bench BENCH_ARGS="--quick".
bench: setup
	$(PY) -m benchmarks.run $(BENCH_ARGS)
