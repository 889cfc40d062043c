# Entry points for editors, municipal IT and developers. See README.md.
SHELL := /bin/bash
CARGO ?= cargo
PORT ?= 8000
FORM_PORT ?= 8081
# One target folder for the whole workspace; tests and demo share debug builds.
export CARGO_TARGET_DIR ?= $(CURDIR)/target
SITE_GEN := $(CARGO_TARGET_DIR)/debug/site-gen
FORM_FN := $(CARGO_TARGET_DIR)/debug/form-fn
OFFICE := $(CARGO_TARGET_DIR)/debug/office
TEST_SITE := $(CARGO_TARGET_DIR)/test-site

.PHONY: demo test lint unit browser site bench clean

## demo: build the sample site, start form-fn, serve it all on http://127.0.0.1:$(PORT)/
demo:
	scripts/install-deps.sh demo
	$(CARGO) build -p site-gen -p form-fn -p office
	$(SITE_GEN) build --out public --base-url http://127.0.0.1:$(PORT)/ --form-endpoint http://127.0.0.1:$(FORM_PORT)
	@echo
	@echo "Sample site:  http://127.0.0.1:$(PORT)/   (application form: http://127.0.0.1:$(PORT)/bielefeld/de/apply/)"
	@echo "Applications are encrypted, stored in demo-store/submissions/<AGS>/<yyyy>/<mm>/<dd>/<reference>.age"
	@echo "and delivered to the office's mailbox, mailboxes/<slug>/ (the sample transport)."
	@echo "The office collects and opens them with its identity, e.g. for Bielefeld:"
	@echo "  $(OFFICE) fetch --from mailboxes/bielefeld --to inbox"
	@echo "  $(OFFICE) open --identity tests/keys/bielefeld.txt --registry public/_registry.json --out opened inbox/*.age"
	@echo "  $(OFFICE) ack --from mailboxes/bielefeld <reference>"
	@echo "(or with the age CLI: age -d -i tests/keys/bielefeld.txt inbox/<reference>.age)"
	@echo "Ctrl+C stops both servers."
	@echo
	$(FORM_FN) serve --listen 127.0.0.1:$(FORM_PORT) --registry public/_registry.json --store demo-store & \
	  trap "kill $$!" EXIT; cd public && python3 -m http.server $(PORT) --bind 127.0.0.1

## test: install what is missing, then lint, unit and end-to-end tests, browser checks
test:
	scripts/install-deps.sh test
	$(MAKE) lint unit browser

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

# Every binary first: form-fn's delivery tests run the office CLI beside it.
unit:
	$(CARGO) build --workspace --bins --locked
	$(CARGO) test --workspace --locked

# The browser tests serve the test site and a form-fn on these loopback ports.
TEST_SITE_PORT ?= 18090
TEST_FORM_PORT ?= 18091

site:
	$(CARGO) build -p site-gen -p form-fn --locked
	$(SITE_GEN) build --out $(TEST_SITE) --base-url http://127.0.0.1:$(TEST_SITE_PORT)/ --form-endpoint http://127.0.0.1:$(TEST_FORM_PORT)

browser: site
	cd tests/browser && SITE_DIR=$(TEST_SITE) SITE_PORT=$(TEST_SITE_PORT) FORM_PORT=$(TEST_FORM_PORT) FORM_FN=$(FORM_FN) npm test

## bench: full site builds of 400 and 11,000 municipalities; form-fn start, latency, throughput
bench:
	scripts/install-deps.sh bench
	scripts/bench.sh
	scripts/bench-form-fn.py

clean:
	rm -rf public bench-out demo-store mailboxes inbox opened $(TEST_SITE)
