# Two commands do everything (README): `make demo` and `make test`.
# The Makefile bootstraps uv into .tools/ when it is not on the PATH.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := $(CURDIR)/.tools
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
DEMO_SECONDS ?= 0
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/.venv

.PHONY: demo services test install lint typecheck unit docs check-docs bench bench-planning soak clean

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
# whole programme to past 12 June 2029 (about 35 minutes at SCALE=0.1).
SCALE ?= 0.1
SEED ?= 2026
DAYS ?= 120
demo: install
	$(UV) run --no-sync python -m simulator --scale $(SCALE) --seed $(SEED) --days $(DAYS)

# Only the services, waiting for input (Ctrl-C or DEMO_SECONDS to stop).
services: install
	$(UV) run --no-sync python -m shared.tools.demo --seconds $(DEMO_SECONDS)

lint: install
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	$(UV) run --no-sync lint-imports

typecheck: install
	$(UV) run --no-sync mypy shared/shared $(foreach s,$(wildcard services/*),$(s)/$(subst -,_,$(notdir $(s)))) simulator/simulator

test: lint typecheck
	$(UV) run --no-sync pytest

# The fast ring only: domain rules and codecs, no servers.
unit: install
	$(UV) run --no-sync pytest -m "not integration"

# Throughput of a backlog replay through intake, on real servers (BENCH_CASES=54000 by default).
BENCH_CASES ?= 54000
bench: install
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

# Faults with nothing lost (issue 18, docs/soak.md): the simulated programme at a small scale
# while services are killed, the broker paused and PostgreSQL restarted, with malformed input
# at volume; then the checks and the figures. SOAK_SECONDS: how long the faults go on.
SOAK_SECONDS ?= 300
SOAK_MALFORMED ?= 10000
soak: install
	SOAK_SECONDS=$(SOAK_SECONDS) SOAK_MALFORMED=$(SOAK_MALFORMED) \
		$(UV) run --no-sync python -m simulator.soak
