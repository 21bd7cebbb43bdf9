# Two commands for a fresh Debian machine (Python 3.11, Node 20): `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip --disable-pip-version-check -q
CHROMIUM := /usr/bin/chromium
REDIS := /usr/bin/redis-server

.PHONY: run test test-couchdb test-cluster gallery install install-dev lint check-deploy clean

run: install ## Start the dashboard (and an embedded pouchdb-server unless COUCHDB_URL is set).
	$(PY) -m embedded.run

test: install-dev $(CHROMIUM) $(REDIS) ## Run every test: lint, types (browser/couch), deploy checks, service, views and browser.
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest

# The same suite against an Apache CouchDB 3 (by default a development build on 127.0.0.1:15984, admin/password).
test-couchdb: ## Run every test against Apache CouchDB at COUCHDB_TEST_URL (default http://127.0.0.1:15984/).
	COUCHDB_TEST_URL=$${COUCHDB_TEST_URL:-http://127.0.0.1:15984/} \
	COUCHDB_TEST_USER=$${COUCHDB_TEST_USER:-admin} COUCHDB_TEST_PASSWORD=$${COUCHDB_TEST_PASSWORD:-password} \
	$(MAKE) test

# The tests marked `cluster` against a local 3-node CouchDB cluster (node1 of cluster.sh's layout in
# COUCHDB_CLUSTER_DIR); they stop one node and start it again through these two commands, in which {node}
# stands for the node's name (node3@127.0.0.1) and {name} for its part before the @ (node3). The script that
# made the cluster lives outside this checkout: name it in COUCHDB_CLUSTER_SCRIPT, or the node test skips.
COUCHDB_CLUSTER_DIR ?= /tmp/couchdb-3.5
test-cluster: export COUCHDB_TEST_URL ?= http://127.0.0.1:25984/
test-cluster: export COUCHDB_TEST_USER ?= admin
test-cluster: export COUCHDB_TEST_PASSWORD ?= password
test-cluster: export COUCHDB_TEST_NODE_STOP ?= kill $$(cat $(COUCHDB_CLUSTER_DIR)/cluster/{name}.pid)
test-cluster: export COUCHDB_TEST_NODE_START ?= $(if $(COUCHDB_CLUSTER_SCRIPT),bash $(COUCHDB_CLUSTER_SCRIPT) $(COUCHDB_CLUSTER_DIR))
test-cluster: install-dev ## Run the cluster tests against a 3-node CouchDB cluster (default http://127.0.0.1:25984/).
	$(PY) -m pytest -m cluster $(PYTEST_ARGS)

# Screenshots of every page, light and dark, into docs/gallery/ (against COUCHDB_TEST_URL when set).
gallery: install-dev $(CHROMIUM)
	rm -rf docs/gallery
	GALLERY_DIR=docs/gallery $(PY) -m pytest tests/browser/test_accessibility.py -k every_page

install: $(VENV)/.installed-runtime node_modules/.installed

install-dev: install $(VENV)/.installed-dev

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-runtime: requirements.txt | $(VENV)/bin/python
	$(PIP) install -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed-runtime
	$(PIP) install -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Debian's chromium drives the browser tests; redis-server is the shared session store the tests try.
$(CHROMIUM) $(REDIS):
	if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium redis-server

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m mypy

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache .mypy_cache
