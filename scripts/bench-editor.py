#!/usr/bin/env python3
"""make bench: the editor's loop. For a site of one municipality and for the
400-municipality corpus: from saving one Markdown file to the page served
with the change by `site-gen serve` (the reload a browser would do), and
`site-gen check` on the corpus. Median of RUNS runs (default 7), release
build, 127.0.0.1 only. Baseline measured in the same run on this disk:
reading every source file of the same tree once (cat), so figures from
different days and disks can be compared as ratios."""
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BIN = os.path.join(TARGET, "release")
RUNS = int(os.environ.get("RUNS", "7"))
OUT = os.path.join(ROOT, "bench-out", "editor")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8", "replace")
    except OSError:
        return ""


def baseline(tree):
    """Seconds to read every source file once (cat to /dev/null)."""
    files = []
    for part in ("content", "municipalities", "themes"):
        for d, _, names in os.walk(os.path.join(tree, part)):
            files += [os.path.join(d, n) for n in names]
    started = time.perf_counter()
    for f in files:
        with open(f, "rb") as fh:
            fh.read()
    return time.perf_counter() - started


def save_to_served(tree, page):
    """Median seconds from saving a Markdown file to the changed page served."""
    port = free_port()
    serve = subprocess.Popen(
        [os.path.join(BIN, "site-gen"), "serve", "--root", tree, "--port", str(port),
         "--function-out", os.path.join(tree, "..", os.path.basename(tree) + "-function")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/{page}"
        deadline = time.time() + 120
        while "<html" not in get(url):
            if time.time() > deadline:
                sys.exit(f"serve did not answer {url}")
            time.sleep(0.05)
        block = os.path.join(tree, "content", "de", "kosten.md")
        original = open(block, encoding="utf-8").read()
        runs = []
        for n in range(RUNS):
            marker = f"Messlauf {n} {time.time_ns()}"
            started = time.perf_counter()
            with open(block, "w", encoding="utf-8") as f:
                f.write(original + f"\n{marker}\n")
            while marker not in get(url):
                if time.perf_counter() - started > 60:
                    sys.exit("the change was never served")
                time.sleep(0.005)
            runs.append(time.perf_counter() - started)
            time.sleep(0.3)
        with open(block, "w", encoding="utf-8") as f:
            f.write(original)
        return statistics.median(runs)
    finally:
        serve.terminate()
        serve.wait()


def timed(command):
    started = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main():
    subprocess.run(["cargo", "build", "--release", "--locked", "-p", "site-gen", "--bins"], check=True, cwd=ROOT)
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    one = os.path.join(OUT, "one")
    os.makedirs(os.path.join(one, "municipalities"))
    for part in ("content", "themes"):
        shutil.copytree(os.path.join(ROOT, part), os.path.join(one, part))
    shutil.copy(os.path.join(ROOT, "site.yaml"), one)
    shutil.copy(os.path.join(ROOT, "municipalities", "bielefeld.yaml"), os.path.join(one, "municipalities"))
    corpus = os.path.join(OUT, "corpus-400")
    subprocess.run([os.path.join(BIN, "make-corpus"), "--count", "400", "--out", corpus],
                   check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    print(f"machine: {os.cpu_count()} cores; median of {RUNS} runs; baseline: reading every source file once")
    print(f"{'measure':<44} {'median_ms':>10} {'baseline_ms':>12} {'ratio':>8}")
    for name, tree, page in (("save -> served, 1 municipality", one, "bielefeld/de/"),
                             ("save -> served, 400 municipalities", corpus, "gemeinde-00000/de/")):
        base = statistics.median(baseline(tree) for _ in range(RUNS))
        took = save_to_served(tree, page)
        print(f"{name:<44} {took * 1000:>10.1f} {base * 1000:>12.2f} {took / base:>8.1f}")
    base = statistics.median(baseline(corpus) for _ in range(RUNS))
    check = statistics.median(timed([os.path.join(BIN, "site-gen"), "check", "--root", corpus]) for _ in range(RUNS))
    print(f"{'check, 400 municipalities':<44} {check * 1000:>10.1f} {base * 1000:>12.2f} {check / base:>8.1f}")


if __name__ == "__main__":
    main()
