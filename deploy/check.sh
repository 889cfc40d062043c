#!/usr/bin/env bash
# Checks deploy/template.yaml offline: cfn-lint (on the template and on its
# SAM expansion), checkov, and the tests of the CloudFront Function (which
# also keep its copy in the template identical to deploy/cloudfront-function.js).
# Runs from any directory.
#
# Tools, pinned in deploy/requirements.txt; a virtualenv at deploy/.venv is
# used when present:
#   python3 -m venv deploy/.venv && deploy/.venv/bin/pip install -r deploy/requirements.txt
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -x deploy/.venv/bin/cfn-lint ]]; then
  PATH="$PWD/deploy/.venv/bin:$PATH"
fi

install_hint="install deploy/requirements.txt (see the top of deploy/check.sh)"
for tool in cfn-lint checkov python3 node; do
  if ! command -v "$tool" >/dev/null; then
    echo "check.sh: $tool is missing; $install_hint" >&2
    exit 1
  fi
done

# The pinned versions, not whatever else is on PATH: checks come and go
# between releases, and the template's skips name them by id.
want() { sed -n "s/^$1==//p" deploy/requirements.txt; }
have_cfn_lint=$(cfn-lint --version | awk '{print $NF}')
have_checkov=$(checkov --version)
have_sam=$(python3 -c 'import samtranslator; print(samtranslator.__version__)' 2>/dev/null || echo none)
if [[ "$have_cfn_lint" != "$(want cfn-lint)" || "$have_checkov" != "$(want checkov)" ||
      "$have_sam" != "$(want aws-sam-translator)" ]]; then
  echo "check.sh: need cfn-lint $(want cfn-lint), checkov $(want checkov) and" \
    "aws-sam-translator $(want aws-sam-translator); found $have_cfn_lint, $have_checkov" \
    "and $have_sam; $install_hint" >&2
  exit 1
fi

echo "== cfn-lint $have_cfn_lint: deploy/template.yaml"
cfn-lint deploy/template.yaml
echo "no findings"

echo "== cfn-lint $have_cfn_lint: SAM expansion (aws-sam-translator $have_sam)"
expanded=$(mktemp --suffix=.json)
trap 'rm -f "$expanded"' EXIT
python3 deploy/sam-transform.py deploy/template.yaml >"$expanded"
cfn-lint "$expanded"
echo "no findings"

echo "== checkov $have_checkov"
# --skip-download: nothing is fetched from the vendor's platform.
checkov -f deploy/template.yaml --framework cloudformation --quiet --compact --skip-download

echo "== CloudFront Function"
node deploy/cloudfront-function.test.mjs
