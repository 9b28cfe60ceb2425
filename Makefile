# BillTracker: the newcomer's commands.
#
#   make run     build everything and run the four processes on ./data
#   make test    every test: Rust, the SPA's lint and browser tests, the docs
#   make bench   the benchmarks (not part of the tests)

UI := services/web/ui
VENV := .venv
CARGO ?= cargo
# Shown by /api/about as `commit` in the release builds of run and bench
# (the debug builds of the tests leave it out, so a commit rebuilds nothing).
run bench: export BILLTRACKER_BUILD_COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null)

.PHONY: run test bench ui ui-deps oidc-deps docs docs-deps openapi lint rust-test e2e clean-data

run: ui
	$(CARGO) build --release --workspace --bins
	./target/release/billtracker run-all

test: lint rust-test e2e docs
	@echo "all tests passed"

bench: ui
	$(CARGO) build --release --workspace --bins
	./scripts/bench

ui-deps:
	@if [ ! -d $(UI)/node_modules ] || [ $(UI)/package-lock.json -nt $(UI)/node_modules/.package-lock.json ]; then \
		cd $(UI) && npm ci --no-audit --no-fund; \
	fi

ui: ui-deps
	cd $(UI) && npm run build

lint: ui-deps
	$(CARGO) fmt --all -- --check
	cd $(UI) && npm run lint && npm run format:check
	@# The SPA's API types must match the committed OpenAPI document.
	cd $(UI) && npm run --silent gen:api && git diff --exit-code -- src/api/schema.d.ts

# The real OpenID provider of the single sign-on tests (Node).
OIDC := integration-tests/oidc-provider
oidc-deps:
	@if [ ! -d $(OIDC)/node_modules ] || [ $(OIDC)/package-lock.json -nt $(OIDC)/node_modules/.package-lock.json ]; then \
		cd $(OIDC) && npm ci --no-audit --no-fund; \
	fi

rust-test: ui oidc-deps
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	$(CARGO) build --workspace --bins --locked
	$(CARGO) test --workspace --locked

e2e: ui oidc-deps
	@command -v $${CHROMIUM_PATH:-chromium} >/dev/null || { echo "Chromium is missing: apt-get install chromium (see .ci/run)"; exit 1; }
	@# The same build as rust-test: building packages one by one unifies other features and recompiles.
	$(CARGO) build --workspace --bins --locked
	cd $(UI) && npm run test:e2e

docs-deps:
	@if [ ! -x $(VENV)/bin/mkdocs ] || [ runbook/requirements.txt -nt $(VENV)/bin/mkdocs ]; then \
		python3 -m venv $(VENV) && $(VENV)/bin/pip install --quiet -r runbook/requirements.txt && touch $(VENV)/bin/mkdocs; \
	fi

docs: docs-deps
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict -f runbook/mkdocs.yml -d ../target/site

openapi:
	$(CARGO) run --quiet -p billtracker-web -- --print-openapi > target/openapi.json.tmp
	mv target/openapi.json.tmp services/web/openapi.json
	cd $(UI) && npm run gen:api

clean-data:
	rm -rf ./data
