# Two commands do everything (README): `make demo` and `make test`.
# The Makefile bootstraps uv into .tools/ when it is not on the PATH.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := $(CURDIR)/.tools
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
DEMO_SECONDS ?= 0
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/.venv

.PHONY: demo services test browser install lint typecheck unit docs check-docs bench bench-intake bench-planning clean

# A virtual environment where Python has venv; else pip straight into .tools (Debian's python3
# without python3-venv still has pip if it has python3-pip).
$(TOOLS)/bin/uv:
	if $(PYTHON) -m venv $(TOOLS) 2>/dev/null; then \
		$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"; \
	else \
		$(PYTHON) -m pip install --quiet --disable-pip-version-check --target $(TOOLS)/lib "uv==$(UV_VERSION)" && \
		mkdir -p $(TOOLS)/bin && ln -sf $(TOOLS)/lib/bin/uv $(TOOLS)/bin/uv; \
	fi

.venv/.installed: uv.lock pyproject.toml shared/pyproject.toml $(wildcard services/*/pyproject.toml) simulator/pyproject.toml | $(UV)
	$(UV) sync --locked --all-packages
	touch $@

install: .venv/.installed

# The programme on driven time with the simulated outside world (SCALE=1: full volumes).
# A simulated day costs about 1.8 s today, so the default covers the first 120 days (from
# before the cut-off into the first Pact decisions) in about four minutes; DAYS=0 runs the
# whole programme to past 12 June 2029 (about 35 minutes at SCALE=0.1). At its end the monthly
# progress page (docs/progress-page.md) is served until Ctrl-C, or for DEMO_SECONDS seconds.
SCALE ?= 0.1
SEED ?= 2026
DAYS ?= 120
demo: install
	DEMO_SECONDS=$(DEMO_SECONDS) $(UV) run --no-sync python -m simulator --scale $(SCALE) --seed $(SEED) --days $(DAYS)

# Only the services, waiting for input (Ctrl-C or DEMO_SECONDS to stop).
services: install
	$(UV) run --no-sync python -m shared.tools.demo --seconds $(DEMO_SECONDS)

lint: install
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	$(UV) run --no-sync lint-imports

typecheck: install
	$(UV) run --no-sync mypy shared/shared $(foreach s,$(wildcard services/*),$(s)/$(subst -,_,$(notdir $(s)))) simulator/simulator

# The progress page's browser test drives Debian's chromium: installed here when missing and
# run as root (as in CI); elsewhere that test is skipped with the reason.
test: lint typecheck browser
	$(UV) run --no-sync pytest

browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium for the progress page's browser test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	elif [ ! -x /usr/bin/chromium ]; then \
		echo "no /usr/bin/chromium and not root: the progress page's browser test will be skipped"; \
	fi

# The fast ring only: domain rules and codecs, no servers.
unit: install
	$(UV) run --no-sync pytest -m "not integration"

# The whole backlog through all six services as a share of this machine's ceiling, and the
# latencies (docs/benchmarks.md). BENCH_SCALE=0.1 for a quick look; the report lands in
# .data/bench.json too.
BENCH_SCALE ?= 1
bench: install
	BENCH_SCALE=$(BENCH_SCALE) $(UV) run --no-sync python benchmarks/pipeline.py --json .data/bench.json

# Throughput of a backlog replay through intake alone (BENCH_CASES=54000 by default).
BENCH_CASES ?= 54000
bench-intake: install
	$(UV) run --no-sync python benchmarks/intake_replay.py --cases $(BENCH_CASES)

# Drafting a plan cycle for backlog pools of 10k, 54k and 200k cases (domain only, no servers).
bench-planning: install
	$(UV) run --no-sync python benchmarks/planning_draft.py

clean:
	rm -rf .venv .tools .data .pytest_cache .mypy_cache .ruff_cache

# Regenerate docs/asyncapi.json, docs/catalogue.md and docs/schemas/ from the event catalogue.
docs: install
	$(UV) run --no-sync python -m shared.tools.docs

check-docs: install
	$(UV) run --no-sync python -m shared.tools.docs --check
