#!/usr/bin/env bash
# make bench: full site builds of synthetic corpora (400 and 11,000
# municipalities in two languages, 400 in seven) and of North
# Rhine-Westphalia's offices with real names (seven languages, and with all
# of Germany on the index), release build. Prints, per
# corpus, the median of several runs of wall time, pages per second, CPU time
# in user and kernel mode, the peak memory (max RSS), and the time `cp -r`
# takes to copy the same output tree on the same disk in the same run (the
# ratio build/copy lets figures from this shared, noisy disk be compared).
# Each run builds into an empty folder: the previous output is deleted before
# the clock starts (and that deletion is timed separately, since on some disks
# it costs more than the build). Kernel time is mostly the file system
# creating files; user time is rendering.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
RUNS="${RUNS:-5}"
cargo build --release --locked -p site-gen -p form-fn --bins
bin="$CARGO_TARGET_DIR/release"
mkdir -p bench-out

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

# Each corpus: count and languages. The seven-language ones are what a site
# with every citizen's language costs; "nrw" is North Rhine-Westphalia's 84
# offices with their real names and keys, and all 396 municipalities on the
# index; "germany" is the same offices with every municipality of Germany on
# the index (real names and keys; the other Länder get a SYNTHETIC rule), to
# measure the index and its search list at that scale. CORPORA picks some,
# e.g. "400:de,en".
CORPORA="${CORPORA:-400:de,en 11000:de,en 400:de,en,ar,tr,ru,uk,fa nrw:de,en,ar,tr,ru,uk,fa germany:de,en}"
# Every corpus municipality has a recipient, so with an endpoint the build
# writes the application form and its confirmation page too: the full site.
ENDPOINT="http://127.0.0.1:8080"

# A rebuild into the tree just built: with nothing changed, and after one
# shared German block (kosten.md) was edited. Prints the median wall time,
# the files written and the peak memory.
rebuilds() {
  local corpus="$1" site="$2" name="$3" label="$4" runs="$5"
  : > "bench-out/nochange-$name.txt"
  : > "bench-out/edit-$name.txt"
  for run in $(seq "$runs"); do
    rebuild_once "$corpus" "$site" "$name" >> "bench-out/nochange-$name.txt"
    echo "Stand dieser Messung: Lauf $run." >> "$corpus/content/de/kosten.md"
    rebuild_once "$corpus" "$site" "$name" >> "bench-out/edit-$name.txt"
  done
  printf '%-30s no-change rebuild %s s, %s files written, %s MiB; one-block edit %s s, %s files written, %s MiB\n' "$label" \
    "$(cut -d' ' -f1 "bench-out/nochange-$name.txt" | median)" "$(cut -d' ' -f2 "bench-out/nochange-$name.txt" | sort -n | tail -1)" \
    "$(cut -d' ' -f3 "bench-out/nochange-$name.txt" | median | awk '{ printf "%.1f", $1 / 1024 }')" \
    "$(cut -d' ' -f1 "bench-out/edit-$name.txt" | median)" "$(cut -d' ' -f2 "bench-out/edit-$name.txt" | median)" \
    "$(cut -d' ' -f3 "bench-out/edit-$name.txt" | median | awk '{ printf "%.1f", $1 / 1024 }')"
}

# One rebuild into the tree: "wall_s files_written peak_rss_kib".
rebuild_once() {
  local corpus="$1" site="$2" name="$3" wall rss_kib
  /usr/bin/time -f '%e %M' -o bench-out/time.txt \
    "$bin/site-gen" build --root "$corpus" --out "$site" --form-endpoint "$ENDPOINT" \
      --function-out "bench-out/function-$name" --stats > bench-out/stats.txt \
      2> "bench-out/rebuild-errors-$name.txt" \
    || { echo "rebuild of $name failed:" >&2; cat "bench-out/rebuild-errors-$name.txt" >&2; return 1; }
  read -r wall rss_kib < bench-out/time.txt
  echo "$wall $(sed -n 's/.* written=\([0-9]*\).*/\1/p' bench-out/stats.txt) $rss_kib"
}

# The index as a phone loads it: its largest page, and the search box's list
# of every place, compressed.
index_sizes() {
  local site="$1" label="$2"
  local largest
  largest=$(find "$site/index.html" "$site/orte" -name index.html -printf '%s\n' | sort -n | tail -1)
  printf '%-30s index: largest page %s bytes, search list %s bytes (%s gzip -9)\n' "$label" "$largest" \
    "$(stat -c %s "$site/orte/suche.js")" "$(gzip -9 -c "$site/orte/suche.js" | wc -c)"
}

printf '%-30s %7s %8s %12s %8s %8s %13s %16s %10s %6s\n' corpus pages wall_s pages_per_s user_s sys_s peak_rss_mib delete_old_s cp_r_s ratio
for spec in $CORPORA; do
  count="${spec%%:*}"
  languages="${spec#*:}"
  name="$count-$(echo "$languages" | tr ',' '-')"
  corpus="bench-out/corpus-$name"
  site="bench-out/site-$name"
  label="$count x [$languages]"
  corpus_args=(--count "$count")
  if [ "$count" = nrw ] || [ "$count" = germany ]; then
    corpus_args=("--$count")
    count=84
  fi
  # About 1 MB on disk per municipality and language (measured: 21 GB for
  # 11,000 municipalities in two languages, a folder per page included),
  # for the build and again for its copy. Without room for the copy, the
  # build is measured without its baseline (cp_r_s "no room").
  n_languages=$(echo "$languages" | tr ',' '\n' | wc -l)
  need_gb=$(( count * n_languages / 1000 + 1 ))
  free_gb=$(df -BG --output=avail . | tail -1 | tr -dc '0-9')
  if [ "$free_gb" -lt $(( need_gb + 2 )) ]; then
    echo "$label: skipped, needs about $need_gb GB on disk, $free_gb GB free"
    continue
  fi
  with_copy=yes
  if [ "$free_gb" -lt $(( 2 * need_gb + 4 )) ]; then
    with_copy=""
  fi
  "$bin/make-corpus" "${corpus_args[@]}" --languages "$languages" --out "$corpus" >/dev/null
  : > "bench-out/runs-$name.txt"
  : > "bench-out/delete-$name.txt"
  : > "bench-out/copy-$name.txt"
  # A run of the 11,000-municipality corpus takes some 25 minutes on this
  # disk (build, copy and deleting both): LARGE_RUNS of them, 1 unless set.
  runs="$RUNS"
  if [ "$count" -gt 1000 ]; then
    runs="${LARGE_RUNS:-1}"
  fi
  for _ in $(seq "$runs"); do
    if [ -d "$site" ]; then
      /usr/bin/time -f '%e' -a -o "bench-out/delete-$name.txt" rm -rf "$site" "bench-out/function-$name"
    fi
    /usr/bin/time -f '%e %M %U %S' -o bench-out/time.txt \
      "$bin/site-gen" build --root "$corpus" --out "$site" --form-endpoint "$ENDPOINT" \
        --function-out "bench-out/function-$name" --stats > bench-out/stats.txt 2> "bench-out/warnings-$name.txt"
    pages=$(sed -n 's/.*stats: pages=\([0-9]*\).*/\1/p' bench-out/stats.txt)
    read -r wall rss_kib user sys < bench-out/time.txt
    echo "$wall $rss_kib $pages $user $sys" >> "bench-out/runs-$name.txt"
    # The disk's own limit, in the same run: copying the tree just built.
    if [ -n "$with_copy" ]; then
      rm -rf "$site.copy"
      /usr/bin/time -f '%e' -a -o "bench-out/copy-$name.txt" cp -r "$site" "$site.copy"
      rm -rf "$site.copy"
    fi
  done
  wall=$(cut -d' ' -f1 "bench-out/runs-$name.txt" | median)
  rss=$(cut -d' ' -f2 "bench-out/runs-$name.txt" | median)
  pages=$(head -1 "bench-out/runs-$name.txt" | cut -d' ' -f3)
  user=$(cut -d' ' -f4 "bench-out/runs-$name.txt" | median)
  sys=$(cut -d' ' -f5 "bench-out/runs-$name.txt" | median)
  delete=$(median < "bench-out/delete-$name.txt")
  copy="no room" ratio="n/a"
  if [ -n "$with_copy" ]; then
    copy=$(median < "bench-out/copy-$name.txt")
    ratio=$(echo "$wall $copy" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2; else print "n/a" }')
  fi
  printf '%-30s %7s %8s %12.0f %8s %8s %13.1f %16s %10s %6s\n' "$label" "$pages" "$wall" \
    "$(echo "$pages / $wall" | bc -l)" "$user" "$sys" "$(echo "$rss / 1024" | bc -l)" "${delete:-n/a}" "$copy" \
    "$ratio"
  rebuilds "$corpus" "$site" "$name" "$label" "$runs"
  index_sizes "$site" "$label"
  # The same corpus built by Hugo (bench/hugo), side by side. Hugo keeps
  # every page in memory (about 1.2 GiB for 400 municipalities, so some
  # 33 GiB for 11,000): only up to 400 on this machine. bench/hugo knows
  # synthetic corpora only (not data/gemeinden.csv).
  if [ "$count" -le 400 ] && [ "${corpus_args[0]}" = --count ]; then
    RUNS="$RUNS" scripts/bench-hugo.sh "$corpus" "bench-out/hugo-$name"
    rm -rf "bench-out/hugo-$name"
  fi
  # The trees are large (several GiB with seven languages); keep the disk free.
  rm -rf "$site" "bench-out/function-$name" "$corpus"
done
