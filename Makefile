# Two commands do everything (README): `make demo` and `make test`.
# The Makefile bootstraps uv into .tools/ when it is not on the PATH.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := $(CURDIR)/.tools
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
DEMO_SECONDS ?= 0
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/.venv

.PHONY: demo services test system-packages install lint typecheck unit docs check-docs bench bench-intake bench-planning bench-planning-daily capacity soak clean adoption-crash

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
# The default covers the first 155 days (from before the cut-off, through the first Pact
# decisions, into the programme's start on 1 October 2026 and its first plan cycle with its
# clearance forecast); DAYS=0 runs the whole programme to past 12 June 2029, still over five
# minutes on a 2-core machine (9 min 31 s with the servers, 529 s of it simulation, on
# 2 December 2026; the machine's speed drifts: docs/adr/0039). The run prints what its days
# cost, leaves planning's monthly figures in .data/demo/, and serves the monthly progress page
# (docs/progress-page.md) until Ctrl-C, or for DEMO_SECONDS seconds.
SCALE ?= 0.1
SEED ?= 2026
DAYS ?= 155
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

# Two tests need a system package: the progress page's browser test (Debian's chromium) and the
# alert rules check (promtool, from Debian's prometheus). Installed with apt when missing and we
# are root (as in CI); elsewhere those tests are skipped, and the reason is printed here and in
# pytest's summary.
# Two pytest workers, each with its own embedded servers: most integration tests wait on
# servers more than they compute, so two share the 2 cores well (TEST_WORKERS=0: one process).
TEST_WORKERS ?= 2
test: lint typecheck system-packages
	$(UV) run --no-sync pytest -n $(TEST_WORKERS) --dist loadfile

system-packages:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v promtool >/dev/null || missing="$$missing prometheus"; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's$$missing for the browser test and the alert rules check"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends $$missing >/dev/null) \
			|| echo "apt-get could not install$$missing; the tests that need them are skipped"; \
	else \
		echo "not root with apt-get:$$missing missing; the tests that need them are skipped"; \
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

# A country-policy adoption over the backlog's 54,000 cases, intake killed (SIGKILL) halfway
# and restarted; every case re-categorised once (issue 9). The suite runs it over 2,000.
ADOPTION_CASES ?= 54000
adoption-crash: install
	CASEFLOW_TEST_ADOPTION_CASES=$(ADOPTION_CASES) CASEFLOW_TEST_ADOPTION_CHUNK=1000 \
		$(UV) run --no-sync pytest -s -q --timeout=7200 \
		services/intake/tests/integration/test_intake_adoption_crash.py

# A planner's capacity file, checked and published to the running services (`make services`).
CAPACITY_FILE ?= services/planning/planning/data/demo-capacity.toml
CAPACITY_AS_OF ?= 2026-10-01
capacity: install
	$(UV) run --no-sync python -m planning declare-capacity $(CAPACITY_FILE) --as-of $(CAPACITY_AS_OF)

# Planning's daily pass (draft, forecast, releases; a re-plan) against the real database.
BENCH_POOLS ?= 10000 54000
bench-planning-daily: install
	$(UV) run --no-sync python benchmarks/planning_daily.py --cases $(BENCH_POOLS)

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
