# Two commands do all the set-up on a fresh machine (README):
#   make dashboard   serve the dashboard on http://localhost:8866
#   make test        run the whole test suite (lint, unit, property, notebooks, browser)
#   make serve       WORKERS Voila workers behind nginx (TLS, basic auth): https://localhost:8443
#                    (POOL=N on either: N main-dashboard pages kept built per server, for bursts;
#                    make serve keeps 25 per worker by default, make dashboard 1)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8866
WORKERS ?= 2
SERVE_PORT ?= 8443
SERVE_HOST ?= 127.0.0.1

.PHONY: dashboard serve test lint unit notebooks browser benchmarks pictures chromium nginx npm pdftoppm clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

# Debian's Chromium for the browser tests; Playwright never downloads a browser.
chromium:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Chromium is missing: run 'sudo apt-get install -y chromium'"; exit 1; fi; }

# Debian's nginx for `make serve` and its test (run in the foreground, never as a service).
nginx:
	@test -x /usr/sbin/nginx || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; \
	  else echo "nginx is missing: run 'sudo apt-get install -y nginx'"; exit 1; fi; }

# poppler's pdftoppm: the report test renders every PDF page (Debian's poppler-utils).
pdftoppm:
	@command -v pdftoppm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils; \
	  else echo "pdftoppm is missing: run 'sudo apt-get install -y poppler-utils'"; exit 1; fi; }

# axe-core (npm, the version pinned in tests/a11y/package-lock.json) for the accessibility tests.
AXE := tests/a11y/node_modules/axe-core/axe.min.js
npm:
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; \
	  else echo "npm is missing: run 'sudo apt-get install -y npm'"; exit 1; fi; }

$(AXE): tests/a11y/package-lock.json | npm
	cd tests/a11y && npm ci --no-audit --no-fund --loglevel=error
	touch $(AXE)

# voila.json (read from here) holds the serving settings; JUPYTER_PATH finds the kortools template.
# POOL=50: keep 50 main-dashboard pages built for a burst of visitors (KORTOOLS_POOL; about 45 MB each).
POOL ?=
POOL_ENV := $(if $(POOL),KORTOOLS_POOL=$(POOL))
dashboard: $(STAMP)
	@echo "Dashboard: http://localhost:$(PORT)/voila/render/kor_verkenner.ipynb"
	$(POOL_ENV) JUPYTER_PATH="$(CURDIR)/share/jupyter" $(BIN)/voila notebooks/ --port=$(PORT)

# Several Voila workers behind nginx with sticky sessions. The password: `KORTOOLS_PASSWORD=… make serve`
# (in the environment; a make argument would land in MAKEFLAGS, which every child inherits).
# An office's server keeps pages built for a burst: 25 per worker unless POOL says otherwise
# (at most half a worker's kernel cap; issue #22).
SERVE_POOL ?= 25
serve: $(STAMP) nginx
	KORTOOLS_POOL=$(or $(POOL),$(SERVE_POOL)) $(BIN)/python -m kortools.serving.cluster --workers $(WORKERS) --host $(SERVE_HOST) --port $(SERVE_PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Two pytest workers (pytest-xdist): the tests with servers or Chromium run on one, in order
# (tests/tiers.py), the rest share both. TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2
test: $(STAMP) chromium nginx pdftoppm $(AXE) lint
	$(BIN)/python -m pytest $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS))

# The README's pictures (docs/img/): the dashboard in Chromium and the report's first page.
pictures: $(STAMP) chromium
	$(BIN)/python docs/pictures.py

benchmarks: $(STAMP) chromium
	$(BIN)/python benchmarks/model.py

clean:
	rm -rf $(VENV) test-output .pytest_cache .hypothesis .serve
