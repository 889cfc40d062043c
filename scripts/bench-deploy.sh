#!/usr/bin/env bash
# make bench: `site-gen deploy` of the 400-municipality corpus to s3s-fs on
# loopback (release build). Prints the first deploy, the median of several
# no-change deploys (the target: under 5 s, 0 uploads), and a deploy after
# one edited Markdown block (objects uploaded). As a baseline measured in the
# same run on the same disk, the median time `sha256sum` takes to read and
# hash every file of the site (the local half of any content comparison).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
RUNS="${RUNS:-5}"
cargo build --release --locked -p site-gen --bins
bin="$CARGO_TARGET_DIR/release"
work=bench-out/deploy
rm -rf "$work" && mkdir -p "$work/s3/site"
corpus="$work/corpus"
"$bin/make-corpus" --count 400 --out "$corpus" >/dev/null
build() { "$bin/site-gen" build --root "$corpus" --out "$work/public" --function-out "$work/function" >/dev/null; }
build

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
s3s-fs --host 127.0.0.1 --port "$port" --access-key bench --secret-key bench-secret "$work/s3" >/dev/null 2>&1 &
s3s=$!
trap 'kill $s3s 2>/dev/null' EXIT
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done

export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=eu-central-1 AWS_EC2_METADATA_DISABLED=true
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
now() { date +%s.%N; }
# Runs a deploy; prints "seconds uploaded unchanged".
deploy() {
  local start end json
  start=$(now)
  json=$("$bin/site-gen" deploy --from "$work/public" --to s3://site --endpoint "http://127.0.0.1:$port" --path-style --format json)
  end=$(now)
  python3 -c 'import json, sys; d = json.loads(sys.argv[2]); print("%.3f %d %d" % (float(sys.argv[1]), d["uploaded"], d["unchanged"]))' "$(echo "$end - $start" | bc -l)" "$json"
}

files=$(find "$work/public" -type f ! -name .site-gen | wc -l)
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "site: $files files, $(du -sm "$work/public" | cut -f1) MiB"
read -r first_s first_up _ <<< "$(deploy)"
echo "first deploy: ${first_s} s, ${first_up} uploaded"

: > "$work/nochange.txt"; : > "$work/baseline.txt"; : > "$work/edit.txt"
for _ in $(seq "$RUNS"); do
  start=$(now); find "$work/public" -type f ! -name .site-gen -print0 | xargs -0 sha256sum >/dev/null; end=$(now)
  echo "$end - $start" | bc -l >> "$work/baseline.txt"
  deploy >> "$work/nochange.txt"
done
# One block edited, deployed, and edited back, each run.
block="$corpus/content/de/kosten.md"
cp "$block" "$work/kosten.md.orig"
for i in $(seq "$RUNS"); do
  printf '\nGeprüft im Benchmark, Lauf %s.\n' "$i" >> "$block"
  build
  deploy >> "$work/edit.txt"
  cp "$work/kosten.md.orig" "$block"
  build
  deploy >/dev/null
done

nochange=$(cut -d' ' -f1 "$work/nochange.txt" | median)
nochange_up=$(cut -d' ' -f2 "$work/nochange.txt" | sort -u | tr '\n' ' ')
baseline=$(median < "$work/baseline.txt")
edit=$(cut -d' ' -f1 "$work/edit.txt" | median)
edit_up=$(cut -d' ' -f2 "$work/edit.txt" | sort -u | tr '\n' ' ')
printf 'no-change deploy: median %.2f s over %s runs, uploads: %s(target < 5 s, 0 uploads)\n' "$nochange" "$RUNS" "$nochange_up"
printf 'baseline (sha256sum of every file): median %.2f s; deploy / baseline = %.2f\n' "$baseline" "$(echo "$nochange / $baseline" | bc -l)"
printf 'after one edited block: median %.2f s, uploads: %s(of %s files)\n' "$edit" "$edit_up" "$files"
