#!/usr/bin/env bash
# make bench: full site builds of synthetic corpora of 400 and 11,000
# municipalities (release build). Prints, per corpus, the median of several
# runs of wall time, pages per second, CPU time in user and kernel mode, and
# the peak memory (max RSS). Each run builds into an empty folder: the
# previous output is deleted before the clock starts (and that deletion is
# timed separately, since on some disks it costs more than the build).
# Kernel time is mostly the file system creating files; user time is rendering.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
RUNS="${RUNS:-5}"
cargo build --release --locked -p site-gen -p form-fn --bins
bin="$CARGO_TARGET_DIR/release"
mkdir -p bench-out

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
printf '%-22s %7s %8s %12s %8s %8s %13s %16s\n' corpus pages wall_s pages_per_s user_s sys_s peak_rss_mib delete_old_s
for count in 400 11000; do
  corpus="bench-out/corpus-$count"
  "$bin/make-corpus" --count "$count" --out "$corpus" >/dev/null
  : > "bench-out/runs-$count.txt"
  : > "bench-out/delete-$count.txt"
  for _ in $(seq "$RUNS"); do
    if [ -d "bench-out/site-$count" ]; then
      /usr/bin/time -f '%e' -a -o "bench-out/delete-$count.txt" rm -rf "bench-out/site-$count" "bench-out/function-$count"
    fi
    /usr/bin/time -f '%e %M %U %S' -o bench-out/time.txt \
      "$bin/site-gen" build --root "$corpus" --out "bench-out/site-$count" \
        --function-out "bench-out/function-$count" --stats > bench-out/stats.txt
    pages=$(sed -n 's/.*stats: pages=\([0-9]*\).*/\1/p' bench-out/stats.txt)
    read -r wall rss_kib user sys < bench-out/time.txt
    echo "$wall $rss_kib $pages $user $sys" >> "bench-out/runs-$count.txt"
  done
  wall=$(cut -d' ' -f1 "bench-out/runs-$count.txt" | median)
  rss=$(cut -d' ' -f2 "bench-out/runs-$count.txt" | median)
  pages=$(head -1 "bench-out/runs-$count.txt" | cut -d' ' -f3)
  user=$(cut -d' ' -f4 "bench-out/runs-$count.txt" | median)
  sys=$(cut -d' ' -f5 "bench-out/runs-$count.txt" | median)
  delete=$(median < "bench-out/delete-$count.txt")
  printf '%-22s %7s %8s %12.0f %8s %8s %13.1f %16s\n' "$count municipalities" "$pages" "$wall" \
    "$(echo "$pages / $wall" | bc -l)" "$user" "$sys" "$(echo "$rss / 1024" | bc -l)" "${delete:-n/a}"
done
