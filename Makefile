# Entry points for editors, municipal IT and developers. See README.md.
SHELL := /bin/bash
CARGO ?= cargo
PORT ?= 8000
# One target folder for the whole workspace; tests and demo share debug builds.
export CARGO_TARGET_DIR ?= $(CURDIR)/target
SITE_GEN := $(CARGO_TARGET_DIR)/debug/site-gen
TEST_SITE := $(CARGO_TARGET_DIR)/test-site

.PHONY: demo test lint unit browser site bench clean

## demo: build the sample site and serve it on http://127.0.0.1:$(PORT)/
demo:
	scripts/install-deps.sh demo
	$(CARGO) build -p site-gen
	$(SITE_GEN) build --out public
	@echo "Serving the sample site on http://127.0.0.1:$(PORT)/ (Ctrl+C stops)"
	cd public && python3 -m http.server $(PORT) --bind 127.0.0.1

## test: install what is missing, then lint, unit and end-to-end tests, browser checks
test:
	scripts/install-deps.sh test
	$(MAKE) lint unit browser

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

unit:
	$(CARGO) test --workspace --locked

site:
	$(CARGO) build -p site-gen --locked
	$(SITE_GEN) build --out $(TEST_SITE) --form-endpoint http://127.0.0.1:8081

browser: site
	cd tests/browser && SITE_DIR=$(TEST_SITE) npm test

## bench: full builds of synthetic corpora (400 and 11,000 municipalities)
bench:
	scripts/bench.sh

clean:
	rm -rf public bench-out $(TEST_SITE)
