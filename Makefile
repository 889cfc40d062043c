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
TEST_FUNCTION := $(CARGO_TARGET_DIR)/test-function
# The project's Python tools (cfn-lint, checkov, cargo-lambda), pinned in deploy/requirements.txt.
TOOLS := $(CURDIR)/deploy/.venv/bin
# make lambda ARCH=arm64 builds for Graviton (needs the aarch64 Rust target).
ARCH ?= x86_64

.PHONY: demo test lint unit browser site iac lambda lambda-test deploy fuzz sbom advisories bench clean

## demo: the sample site with live reload (site-gen serve) and a local form-fn,
## on http://127.0.0.1:$(PORT)/
demo:
	scripts/install-deps.sh demo
	$(CARGO) build --workspace --bins
	@# form-fn reads its registry once at start: build it first.
	$(SITE_GEN) build --out public --function-out function --base-url http://127.0.0.1:$(PORT)/ --form-endpoint http://127.0.0.1:$(FORM_PORT)
	@echo
	@echo "Sample site:  http://127.0.0.1:$(PORT)/   (application form: http://127.0.0.1:$(PORT)/bielefeld/de/apply/)"
	@echo "With JavaScript the form is a step-by-step assistant with a review and an optional draft in the"
	@echo "browser; without JavaScript it is one page. Both send the same application."
	@echo "Edit content/, municipalities/, themes/ or site.yaml: open tabs reload; errors show on the page."
	@echo "(form-fn keeps the forms it started with: restart make demo after changing content/forms/.)"
	@echo "Applications are encrypted, stored in demo-store/submissions/<AGS>/<yyyy>/<mm>/<dd>/<reference>.age"
	@echo "and delivered to the office's mailbox, mailboxes/<slug>/ (the sample transport)."
	@echo "The office collects and opens them with its identity, e.g. for Bielefeld:"
	@echo "  $(OFFICE) list --from mailboxes/bielefeld   (what arrived; fetched? acknowledged?)"
	@echo "  $(OFFICE) fetch --from mailboxes/bielefeld --to inbox"
	@echo "  $(OFFICE) open --identity tests/keys/bielefeld.txt --registry function/registry.json --out opened inbox/*.age"
	@echo "  (the registry names the signing keys office open accepts; or --signing-key ed25519:…)"
	@echo "  $(OFFICE) ack --from mailboxes/bielefeld <reference>"
	@echo "(or with the age CLI: age -d -i tests/keys/bielefeld.txt inbox/<reference>.age)"
	@echo "Notifications: none in the samples, so nobody is e-mailed; form-fn prints below which offices"
	@echo "a municipality's notify: tells, by e-mail or webhook (README, \"Notifications\")."
	@echo "Ctrl+C stops both servers."
	@echo
	FORM_FN_SIGNING_KEY="$$(cat tests/keys/form-fn-signing.txt)" \
	  $(FORM_FN) serve --listen 127.0.0.1:$(FORM_PORT) --registry function/registry.json --store demo-store & \
	  trap "kill $$!" EXIT; $(SITE_GEN) serve --port $(PORT) --form-endpoint http://127.0.0.1:$(FORM_PORT) --function-out function

## test: install what is missing, then lint, unit and end-to-end tests, browser checks,
## the infrastructure template and the Lambda package under the Lambda emulator
test:
	scripts/install-deps.sh test
	$(MAKE) lint unit browser iac lambda-test

# cargo-deny checks licences, banned crates and sources offline (deny.toml).
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	$(CARGO) deny --offline --locked check licenses bans sources

## advisories: the RustSec advisory database against Cargo.lock (needs network to fetch it)
advisories:
	$(CARGO) deny --locked check advisories

## fuzz: the fuzz targets with many more cases than make test runs (FUZZ_CASES, default 100000)
FUZZ_CASES ?= 100000
fuzz:
	FUZZ_CASES=$(FUZZ_CASES) $(CARGO) test --workspace --locked fuzz_ -- --test-threads=2

## sbom: a CycloneDX SBOM per crate (<crate>/<crate>.cdx.json), with cargo-cyclonedx
sbom:
	scripts/install-deps.sh sbom
	$(CARGO) cyclonedx --format json
	@ls */*.cdx.json tests/*/*.cdx.json

# Every binary first: tests run the office CLI and site-gen beside their own.
unit:
	$(CARGO) build --workspace --bins --locked
	$(CARGO) test --workspace --locked

# The browser tests serve the test site and a form-fn on these loopback ports.
TEST_SITE_PORT ?= 18090
TEST_FORM_PORT ?= 18091

# Always the whole workspace: building a subset resolves shared crates'
# features differently and compiles them all again.
site:
	$(CARGO) build --workspace --bins --locked
	$(SITE_GEN) build --out $(TEST_SITE) --function-out $(TEST_FUNCTION) --base-url http://127.0.0.1:$(TEST_SITE_PORT)/ --form-endpoint http://127.0.0.1:$(TEST_FORM_PORT)

browser: site
	cd tests/browser && SITE_DIR=$(TEST_SITE) FUNCTION_DIR=$(TEST_FUNCTION) SITE_PORT=$(TEST_SITE_PORT) FORM_PORT=$(TEST_FORM_PORT) FORM_FN=$(FORM_FN) SITE_GEN=$(SITE_GEN) OFFICE=$(OFFICE) npm test

## iac: check deploy/template.yaml offline (cfn-lint, checkov, the CloudFront Function's tests)
iac:
	deploy/check.sh

## lambda: form-fn for AWS Lambda in deploy/package/ (bootstrap, registry.json, shells/),
## built with cargo-lambda from the site in this folder (site.yaml, municipalities/);
## x86_64, or ARCH=arm64 (Graviton) where the aarch64 Rust target is installed
## (cross-compiled with cargo-lambda's Zig; deploy with Architecture=arm64)
# Where make lambda builds the site from this folder and assembles the package.
LAMBDA_SITE ?= public
LAMBDA_FUNCTION ?= function
LAMBDA_PACKAGE ?= deploy/package
lambda:
	scripts/install-deps.sh lambda
	@if [ "$(ARCH)" = arm64 ] && ! rustup target list --installed 2>/dev/null | grep -qx aarch64-unknown-linux-gnu; then \
	  echo "ARCH=arm64 needs the Rust target: rustup target add aarch64-unknown-linux-gnu" >&2; exit 2; fi
	$(CARGO) build --workspace --bins --locked
	$(SITE_GEN) build --out $(LAMBDA_SITE) --function-out $(LAMBDA_FUNCTION) $(BUILD_FLAGS)
	PATH="$(TOOLS):$$PATH" $(CARGO) lambda build --release --locked -p form-fn --bin form-fn \
	  $(if $(filter arm64,$(ARCH)),--arm64,--compiler cargo --x86-64)
	rm -rf $(LAMBDA_PACKAGE) && mkdir -p $(LAMBDA_PACKAGE)
	cp $(CARGO_TARGET_DIR)/lambda/form-fn/bootstrap $(LAMBDA_PACKAGE)/bootstrap
	cp -R $(LAMBDA_FUNCTION)/registry.json $(LAMBDA_FUNCTION)/shells $(LAMBDA_PACKAGE)/
	@echo "$(LAMBDA_PACKAGE)/ is ready for: sam deploy --template-file deploy/template.yaml --guided"

# The package under cargo-lambda's runtime emulator, invoked with real form
# POSTs. It is built (with the test keys, on loopback) into target/, never
# into deploy/package/, so that a later sam deploy cannot ship it.
lambda-test:
	$(MAKE) lambda BUILD_FLAGS="--form-endpoint http://127.0.0.1:18093" \
	  LAMBDA_SITE=$(CARGO_TARGET_DIR)/lambda-test/public LAMBDA_FUNCTION=$(CARGO_TARGET_DIR)/lambda-test/function \
	  LAMBDA_PACKAGE=$(CARGO_TARGET_DIR)/lambda-test/package
	PATH="$(TOOLS):$$PATH" LAMBDA_PACKAGE=$(CARGO_TARGET_DIR)/lambda-test/package \
	  $(CARGO) test --workspace --locked --test lambda -- --ignored

## deploy: build the site and upload it: make deploy BUCKET=name [PREFIX=path] [DEPLOY_FLAGS="--delete"]
deploy:
	@test -n "$(BUCKET)" || { echo "usage: make deploy BUCKET=<bucket> [PREFIX=<prefix>] [DEPLOY_FLAGS=...]" >&2; exit 2; }
	$(CARGO) build --workspace --bins --locked
	$(SITE_GEN) build --out public --function-out function $(BUILD_FLAGS)
	$(SITE_GEN) deploy --from public --to s3://$(BUCKET)$(if $(PREFIX),/$(PREFIX)) $(DEPLOY_FLAGS)

## bench: full site builds of 400 and 11,000 municipalities; form-fn start, latency, throughput;
## deploys of the 400-municipality site to s3s-fs
bench:
	scripts/install-deps.sh bench
	scripts/bench.sh
	scripts/bench-form-fn.py
	scripts/bench-deploy.sh
	scripts/bench-editor.py

clean:
	rm -rf public function bench-out demo-store mailboxes inbox opened deploy/package $(TEST_SITE) $(TEST_FUNCTION)
