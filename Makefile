# jisheng — 人口与计划生育工作管理系统
#
#   make demo    install everything, load the demo county and serve http://127.0.0.1:8000
#   make test    install what the tests need and run every check and the whole suite
#
# Other targets: make install | assets | migrate | serve | lint | fmt | messages | bench
#                | browser | clean

SHELL := /bin/bash
.DEFAULT_GOAL := help

HOST ?= 127.0.0.1
PORT ?= 8000

# uv is looked up (and installed with pip when missing) the first time a recipe needs it.
UV = $(eval UV := $$(shell scripts/ensure-uv.sh))$(UV)
RUN = $(UV) run --frozen
JISHENG = $(RUN) jisheng

# Python comes from the machine (3.11+); never download an interpreter.
export UV_PYTHON_DOWNLOADS ?= never
# Database, secret key and collected static files live in ./var whatever the directory
# a command runs in.
export JISHENG_VAR_DIR ?= $(CURDIR)/var

CI_MODE := $(filter true 1 yes,$(CI))

.PHONY: help
help:
	@sed -n '3,8p' Makefile | sed 's/^# \{0,1\}//'

## --- set-up -------------------------------------------------------------------------

.PHONY: install
install: python-deps assets  ## Python packages (uv) and front-end files (npm)

.PHONY: python-deps
python-deps:
	@test -n "$(UV)" || { echo "uv is not available" >&2; exit 1; }
	$(UV) sync --frozen

node_modules/.jisheng-installed: package.json $(wildcard package-lock.json)
	@command -v npm >/dev/null || { echo "npm not found: install Node.js 20 and npm" >&2; exit 1; }
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; \
	else npm install --no-audit --no-fund; fi
	@touch $@

.PHONY: assets
assets:
	@if [ -f package.json ]; then \
	    $(MAKE) --no-print-directory node_modules/.jisheng-installed && npm run --silent copy-assets; \
	else echo "no package.json: no front-end assets to install"; fi

.PHONY: migrate
migrate: python-deps
	$(JISHENG) migrate --noinput

.PHONY: collectstatic
collectstatic: python-deps assets
	$(JISHENG) collectstatic --noinput --verbosity 0

## --- the two commands of the README -------------------------------------------------

.PHONY: demo
demo: install migrate collectstatic
	$(JISHENG) demo --host $(HOST) --port $(PORT)

.PHONY: test
test: install browser
	UV="$(UV)" scripts/run-tests.sh

## --- development --------------------------------------------------------------------

.PHONY: serve
serve: python-deps
	$(JISHENG) serve --host $(HOST) --port $(PORT)

# Debian's Chromium for the browser tests: installed in CI (CI=true) when missing;
# elsewhere only reported (the browser tests then skip and say why).
.PHONY: browser
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ -n "$(CI_MODE)" ]; then \
	    echo "installing Debian chromium, fonts-noto-cjk and pango for the browser tests and PDF documents"; \
	    SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0; \
	else echo "note: /usr/bin/chromium not found, browser tests will be skipped" \
	          "(apt-get install chromium fonts-noto-cjk)"; fi

.PHONY: lint
lint: python-deps
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy
	$(RUN) python scripts/count_any.py --check

.PHONY: fmt
fmt: python-deps
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

# Chinese catalogue: extract the strings, then compile every catalogue (needs gettext).
.PHONY: messages
messages: python-deps
	@command -v xgettext >/dev/null || { echo "xgettext not found: apt-get install gettext" >&2; exit 1; }
	cd src/jisheng && $(JISHENG) makemessages -l zh_Hans --no-obsolete --ignore 'static/*'
	cd src/jisheng && $(JISHENG) compilemessages

.PHONY: bench
bench: python-deps
	UV="$(UV)" scripts/bench.sh

.PHONY: clean
clean:
	rm -rf staticfiles test-artifacts .pytest_cache .ruff_cache src/jisheng/static/vendor
	@echo "kept ./var (database and secret key); remove it yourself to start afresh"
