# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Let Python keep its bytecode (and pytest its rewritten test modules) in __pycache__: these machines set
# PYTHONDONTWRITEBYTECODE, so every process (each test worker, each local stack the e2e tests start) compiled
# every module again, about 5 s a pytest process. An empty value is "unset" to Python.
export PYTHONDONTWRITEBYTECODE :=

.PHONY: run test lint types unit token bench fuzz soak openapi dlq outbox backfill backfill-rollups synth deploy destroy bootstrap infra-deps clean \
        web web-deps web-test browser-deps screenshots

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

venv: $(STAMP)

# The cloud stack's Python deps (CDK, Chalice's CDK construct, cdk-nag, cfn-lint) in the same .venv, and the
# CDK command line from npm into infra/node_modules (only deploying needs it).
INFRA_STAMP := $(VENV)/.infra-installed
CDK_CLI     := infra/node_modules/.bin/cdk
$(INFRA_STAMP): $(STAMP) infra/requirements.txt
	$(PY) -m pip install -q --disable-pip-version-check -r infra/requirements.txt
	@touch $(INFRA_STAMP)

$(CDK_CLI): infra/package.json infra/package-lock.json
	npm ci --prefix infra --no-audit --no-fund
	@touch $(CDK_CLI)

infra-deps: $(INFRA_STAMP) $(CDK_CLI)

# Chalice builds the Lambda dependency bundle once (pip, for the Lambda platform) and caches it in
# .chalice/deployments/: done here, at set-up, so synthesizing in the tests downloads nothing.
LAMBDA_DEPS := .chalice/deployments/.ready
$(LAMBDA_DEPS): $(STAMP) requirements.txt
	AWS_DEFAULT_REGION=us-east-1 $(VENV)/bin/chalice package --stage dev $(VENV)/.chalice-package > /dev/null
	@rm -rf $(VENV)/.chalice-package
	@touch $@

# The web console (web/): npm ci when the lock file changed, vite build when a source changed (both stamped).
WEB_DEPS := web/node_modules/.kc-installed
WEB_DIST := web/dist/.kc-built
WEB_SRC  := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts \
            web/tsconfig.json web/package.json
$(WEB_DEPS): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

$(WEB_DIST): $(WEB_DEPS) $(WEB_SRC)
	cd web && node_modules/.bin/vite build --logLevel warn
	@touch $@

web-deps: $(WEB_DEPS)

## Build the web console into web/dist (make run does it when its sources changed).
web: $(WEB_DIST)

## The console's ESLint, TypeScript (tsc --noEmit) and Vitest unit tests.
web-test: $(WEB_DEPS)
	cd web && node_modules/.bin/eslint --max-warnings 0 . && node_modules/.bin/tsc --noEmit -p tsconfig.json \
	  && node_modules/.bin/vitest run --reporter=dot

# The browser tests drive Debian's chromium (Playwright's own download cannot work here); without
# fonts-noto-cjk Chinese renders as boxes. Installed when missing and running as root.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium fonts-noto-cjk; \
	  else echo "install chromium and fonts-noto-cjk (apt-get, as root) for the browser tests" >&2; exit 1; fi; \
	fi

# checkov (template checks, tests/infra/test_checkov.py) in a venv of its own: its many dependencies must not
# change the pins of the shared .venv.
CHECKOV_VENV    := .venv-checkov
CHECKOV_STAMP   := $(CHECKOV_VENV)/.installed
CHECKOV_VERSION := 3.3.30
$(CHECKOV_STAMP):
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install -q --disable-pip-version-check checkov==$(CHECKOV_VERSION)
	@touch $(CHECKOV_STAMP)

## Retake the README's console screenshots (docs/screenshots/) with the browser tests.
screenshots: $(STAMP) $(WEB_DIST) browser-deps
	SCREENSHOTS=1 $(PY) -m pytest -q tests/browser -p no:randomly

## Start the whole system locally: the web console on 127.0.0.1:8080, moto server, tables, queues, seed data,
## API on 127.0.0.1:8000, pump, courier; then a year of history (SEED_HISTORY cases, 0: none) for the dashboard.
SEED_HISTORY ?= 150
run: $(STAMP) $(WEB_DIST)
	$(PY) -m tools.local_stack $(if $(PORT),--port $(PORT)) $(if $(CONSOLE_PORT),--console-port $(CONSOLE_PORT)) \
	  --seed-history $(SEED_HISTORY)

## Lint, types and the whole test suite (infra tests synthesize the cloud stack, so they need its deps;
## browser tests drive the built console in chromium).
test: $(STAMP) $(INFRA_STAMP) $(LAMBDA_DEPS) $(CHECKOV_STAMP) $(WEB_DIST) browser-deps web-test
	$(PY) -m ruff check .
	$(PY) -m mypy
	REQUIRE_CHECKOV=1 $(PY) -m pytest -q -n 2 --dist loadfile

## The fast tests: unit, service and API (issue 14's measure, docs/ARCHITECTURE.md "Test time").
unit: $(STAMP)
	$(PY) -m pytest -q -n 2 tests/unit tests/service tests/api

lint: $(STAMP)
	$(PY) -m ruff check .

types: $(STAMP) $(INFRA_STAMP)
	$(PY) -m mypy

## Print a local (stage `local`) bearer token: make token ROLE=staff OFFICE=SZ-GOV
ROLE ?= citizen
token: $(STAMP)
	@$(PY) -m tools.token --role $(ROLE) $(if $(OFFICE),--office $(OFFICE)) $(if $(CITY),--city $(CITY)) $(if $(SUB),--sub $(SUB))

## Benchmarks: cold start, package size, warm overhead, request count, queue throughput, load, money (bench/results.json).
bench: $(STAMP) $(LAMBDA_DEPS)
	@$(MAKE) -s browser-deps || echo "no chromium: the console figure (8) will report an error" >&2
	$(PY) -m bench

## Regenerate docs/openapi.json from the registered routes, and the console's typed client from it
## (web/src/lib/api/schema.d.ts); a test fails when either drifts.
openapi: $(STAMP) $(WEB_DEPS)
	$(PY) -m tools.openapi --write
	cd web && node_modules/.bin/openapi-typescript ../docs/openapi.json -o src/lib/api/schema.d.ts

## Full-size API fuzzing (make test runs a CI-sized sample).
fuzz: $(STAMP)
	FUZZ_SIZE=full $(PY) -m pytest -q tests/reliability -k fuzz

## Full-size reliability runs: duplicate/shuffled delivery, injected faults, races.
soak: $(STAMP)
	RELIABILITY_SIZE=full $(PY) -m pytest -q tests/reliability

## Dead-letter queues: make dlq ARGS="list" | ARGS="show routing" | ARGS="redrive routing"
dlq: $(STAMP)
	$(PY) -m tools.dlq $(ARGS)

## The outbox: make outbox ARGS="list" | ARGS="relay <event_id>" | ARGS="relay --from T1 --to T2" | ARGS="relay --failed"
outbox: $(STAMP)
	$(PY) -m tools.outbox $(ARGS)

## Work-queue keys for cases stored before the sharded indexes: make backfill ARGS="--dry-run" (infra/README.md)
backfill: $(STAMP)
	$(PY) -m tools.backfill $(ARGS)

## City and province roll-ups of review counters stored before them: make backfill-rollups ARGS="--dry-run"
backfill-rollups: $(STAMP)
	$(PY) -m tools.backfill_rollups $(ARGS)

## Write the CloudFormation templates of every stage (or STAGE=dev) to cdk.out/.
synth: $(INFRA_STAMP) $(LAMBDA_DEPS)
	$(PY) -m infra.app $(if $(STAGE),--stage $(STAGE))

## Deploy a stage with your AWS credentials (builds and uploads the console), print the console and API URLs:
## make deploy STAGE=dev [CONTEXT="alarmEmail=a@b.c"]
STAGE_REQUIRED = $(if $(filter dev prod,$(STAGE)),,$(error set STAGE=dev or STAGE=prod))
deploy: infra-deps web
	$(STAGE_REQUIRED)$(PY) -m infra.deploy $(STAGE) $(foreach c,$(CONTEXT),-c $(c))

## Tear a stage down (production data is retained): make destroy STAGE=dev
destroy: infra-deps
	$(STAGE_REQUIRED)$(PY) -m infra.deploy $(STAGE) --destroy

## Once per account and region: the CDK's asset bucket and deployment roles, and API Gateway's logging role.
bootstrap: infra-deps
	$(STAGE_REQUIRED)$(PY) -m infra.deploy $(STAGE) --bootstrap

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) .pytest_cache .mypy_cache .ruff_cache cdk.out chalice.out infra/node_modules \
	  web/node_modules web/dist test-results
