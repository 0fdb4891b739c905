# shipyard: the two commands are `make demo` and `make test`. Each installs
# what it needs on a fresh machine (npm packages, the Python virtual
# environment, Debian packages, Go tools, the local base image) and is quick
# when all of it is already there.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

NPM_STAMP := node_modules/.shipyard-lock-hash
GOBIN ?= $(shell go env GOPATH 2>/dev/null)/bin
ACTIONLINT := $(GOBIN)/actionlint
ACTIONLINT_VERSION := v1.7.12
ACT := $(GOBIN)/act
ACT_VERSION := 0.2.89
ZIZMOR_VERSION := 1.32.0
TOOLS_VENV := .run/tools-venv
ZIZMOR := $(TOOLS_VENV)/bin/zizmor
REPORTS := .run/reports

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z][a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# ---------------------------------------------------------------- installs

.PHONY: deps
deps: ## Install npm packages (npm ci) and apply patches/ when the lock file or a patch changed
	@want=$$(cat package-lock.json patches/* | sha256sum | cut -d" " -f1); \
	if [ "$$(cat $(NPM_STAMP) 2>/dev/null)" != "$$want" ]; then \
	  npm ci --no-audit --no-fund; echo "$$want" > $(NPM_STAMP); \
	else echo "npm packages: up to date"; fi

.PHONY: venv
venv: ## Create the Python virtual environment (.venv) for the example app and docs
	@bash scripts/python-env.sh

.PHONY: containers
containers: ## Install podman, buildah, runc, the registry and debootstrap from Debian
	@bash scripts/containers/install.sh

.PHONY: tools
tools: ## Install test tools: actionlint and act (Go), shellcheck and chromium (Debian), zizmor (PyPI)
	@command -v shellcheck >/dev/null || { \
	  echo "installing shellcheck"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null; }; }
	@if ! "$(ACTIONLINT)" -version 2>/dev/null | grep -qx '$(ACTIONLINT_VERSION)'; then \
	  echo "installing actionlint $(ACTIONLINT_VERSION)"; \
	  go install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION); \
	else echo "actionlint: present"; fi
	@if ! "$(ACT)" --version 2>/dev/null | grep -qx 'act version $(ACT_VERSION)'; then \
	  echo "installing act $(ACT_VERSION)"; \
	  go install github.com/nektos/act@v$(ACT_VERSION); \
	else echo "act: present"; fi
	@command -v chromium >/dev/null || { \
	  echo "installing chromium (headless, for the demo report's test)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; }
	@if ! "$(ZIZMOR)" --version 2>/dev/null | grep -qx 'zizmor $(ZIZMOR_VERSION)'; then \
	  echo "installing zizmor $(ZIZMOR_VERSION) into $(TOOLS_VENV)"; \
	  python3 -m venv $(TOOLS_VENV) && $(TOOLS_VENV)/bin/pip install -q 'zizmor==$(ZIZMOR_VERSION)'; \
	else echo "zizmor: present"; fi

.PHONY: base-image
base-image: containers ## Build (once) the local Python base image with debootstrap
	@bash scripts/containers/base-image.sh

# ------------------------------------------------------------------- build

.PHONY: image
image: base-image ## Build the example app's image (localhost/shipyard/example:dev)
	@bash scripts/containers/build-image.sh localhost/shipyard/example:dev

.PHONY: registry-up
registry-up: containers ## Start the local registry (credentials in .run/registry.env)
	@bash scripts/containers/registry.sh start

.PHONY: registry-down
registry-down: ## Stop the local registry
	@bash scripts/containers/registry.sh stop

.PHONY: bundle
bundle: deps ## Bundle every action into actions/*/dist with ncc
	@node scripts/bundle.mjs

.PHONY: readme
readme: deps ## Regenerate the input/output tables of the action READMEs
	@node scripts/action-readme.mjs

.PHONY: check-dist
check-dist: deps ## Fail when actions/*/dist differs from a fresh build
	@bash scripts/check-dist.sh

# -------------------------------------------------------------------- lint

.PHONY: lint
lint: deps tools ## Typecheck, eslint, prettier, action.yml/README and workflow checks
	npx tsc --noEmit -p tsconfig.json
	npx eslint --max-warnings 0 .
	npx prettier --check . --log-level warn
	node scripts/action-readme.mjs --check
	shellcheck -x scripts/*.sh scripts/containers/*.sh tests/containers/*.sh tests/act/*.sh .ci/run
	@if compgen -G '.github/workflows/*.yml' >/dev/null; then $(ACTIONLINT) -no-color; fi
	$(ZIZMOR) --offline --quiet .github/workflows action.yml actions/*/action.yml

# -------------------------------------------------------------------- test

.PHONY: test-unit
test-unit: deps ## Jest: the kit and the actions
	@mkdir -p $(REPORTS)
	NODE_OPTIONS=--experimental-vm-modules npx jest --ci --json --outputFile=$(REPORTS)/jest.json

.PHONY: test-example
test-example: venv ## The example app: flake8, pytest with coverage, Django checks, Sphinx
	@mkdir -p $(REPORTS)
	@bash scripts/test-example.sh
	@cp example/.reports/junit.xml $(REPORTS)/pytest.xml

.PHONY: test-docs
test-docs: venv ## shipyard's docs, built with -W by the bundled sphinx-docs action
	@mkdir -p .run/docs/tmp && : > .run/docs/output && : > .run/docs/summary.md
	@env GITHUB_WORKSPACE="$(CURDIR)" RUNNER_TEMP="$(CURDIR)/.run/docs/tmp" \
	  GITHUB_OUTPUT="$(CURDIR)/.run/docs/output" GITHUB_STEP_SUMMARY="$(CURDIR)/.run/docs/summary.md" \
	  INPUT_PYTHON="$(CURDIR)/.venv/bin/python" 'INPUT_DOCS-DIR=docs' 'INPUT_SOURCE-DIR=sphinx_src' \
	  node actions/sphinx-docs/dist/index.js

.PHONY: test-containers
test-containers: base-image ## Build the example image, run it, check /health
	@SMOKE_JUNIT=$(REPORTS)/containers.xml bash tests/containers/smoke.sh

.PHONY: test
test: deps venv tools containers base-image ## Everything: lint, unit tests, example app, image, dist check
	@rm -rf $(REPORTS)
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-unit
	$(MAKE) --no-print-directory test-example
	$(MAKE) --no-print-directory test-docs
	$(MAKE) --no-print-directory test-containers
	$(MAKE) --no-print-directory check-dist
	$(MAKE) --no-print-directory test-bench
	@node scripts/test-summary.mjs

# ------------------------------------------------------------- stand-ins

.PHONY: services-up
services-up: deps containers ## Start the registry and the service stand-ins; write .services.env
	@bash scripts/services.sh up

.PHONY: services-down
services-down: ## Stop the stand-ins, the registry and what they started
	@bash scripts/services.sh down

# ------------------------------------------------------------------- bench

.PHONY: bench
bench: deps venv containers ## Measure the speed targets (ratios, one run); see bench/README.md
	@node bench/run.mjs

.PHONY: test-bench
test-bench: deps venv containers ## Run every benchmark once, fast (BENCH_FAST=1, nothing judged), so none rots
	@mkdir -p $(REPORTS)
	@BENCH_FAST=1 node bench/run.mjs --junit $(REPORTS)/bench.xml

# -------------------------------------------------------------------- demo

.PHONY: demo
demo: deps venv containers ## Run the pipeline on the example app against the local stand-ins
	@bash scripts/demo.sh

.PHONY: clean
clean: ## Remove build and test leftovers (keeps node_modules and .venv)
	-@bash scripts/services.sh down >/dev/null 2>&1
	rm -rf .run coverage docs/_build docs/api example/.reports
