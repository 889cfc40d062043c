#!/usr/bin/env python3
"""make bench, part 2: form-fn on this machine (release build).

Measures, each as the median of several runs:
- start: process start to the first answered request;
- throughput and latency (p50, p99) of a typical ~10 KB application
  (multipart, text fields plus a small PDF) from 16 concurrent clients (wrk),
  against the folder store and against s3s-fs on loopback: as fast as the
  clients can send, and with each client pausing 10 ms after every answer
  (about 1,200 submissions/s offered), where latency means waiting rather
  than queueing; the same with the folder store on tmpfs (/dev/shm) in the
  same run, as the baseline without this disk's syncs;
- peak memory (max RSS) of form-fn under that load;
- each once with `--queue-only` (accept and queue, as the Lambda intake does)
  and once delivering every application at once to the sample's folder
  mailbox (outbox marker, deposit, marker removed; the run checks that all
  of them arrived);
- drain: applications queued while the mailbox was unwritable, then
  delivered by one `form-fn drain --now` (deliveries per second).
Every request is a valid application that is encrypted, stored and queued.
"""
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BIN = os.path.join(TARGET, "release")
RUNS = int(os.environ.get("RUNS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
PORT = 18191
S3_PORT = 18192

FIELDS = [
    ("lang", "de"), ("family_name", "Yılmaz"), ("given_names", "Ayşe Nur"), ("birth_date", "1990-05-17"),
    ("birth_place", "İzmir"), ("birth_country", "TR"), ("sex", "female"), ("nationalities.0.country", "TR"),
    ("id_document", "passport"), ("id_document_number", "U12345678"), ("id_document_country", "TR"),
    ("street", "Niederwall 1"), ("postcode", "33602"), ("city", "Bielefeld"), ("email", "ayse@example.org"),
    ("resident_since", "2015-03-01"), ("permit", "settlement_permit"), ("permit_basis", "§ 9 AufenthG"),
    ("long_stays_abroad", "no"), ("marital_status", "single"),
    ("german_proof", "certificate"), ("test_proof", "test_certificate"), ("livelihood", "employed"),
    ("benefits", "no"), ("convicted", "no"), ("proceedings_pending", "no"), ("fdgo_declaration", "yes"),
    ("responsibility_declaration", "yes"), ("truthful", "yes"),
]


def multipart_body():
    boundary = "bench-boundary-7f3a"
    parts = []
    for name, value in FIELDS:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    pdf = b"%PDF-1.7\n" + b"0123456789abcdef" * 512  # about 8 KB
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="documents"; filename="pass.pdf"\r\n'
        f"Content-Type: application/pdf\r\n\r\n".encode() + pdf + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def wait_port(port, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.01)
    raise SystemExit(f"nothing listens on {port}")


def first_answer_ms(args, env, cwd):
    """Milliseconds from spawning form-fn to its first HTTP answer."""
    start = time.monotonic()
    process = subprocess.Popen(args, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with socket.create_connection(("127.0.0.1", PORT), timeout=1) as s:
                    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if s.recv(12).startswith(b"HTTP/1.1"):
                        return (time.monotonic() - start) * 1000
            except OSError:
                if time.monotonic() - start > 10:
                    raise SystemExit("form-fn did not answer within 10 s")
                time.sleep(0.0005)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait()


def files_in(folder):
    """Names in a folder, leaving out dot files (locks, writes in progress)."""
    try:
        return sum(1 for name in os.listdir(folder) if not name.startswith("."))
    except FileNotFoundError:
        return 0


def wait_delivered(outbox, timeout=120):
    """Seconds until the outbox is empty (every application delivered)."""
    start = time.monotonic()
    while files_in(outbox) > 0:
        if time.monotonic() - start > timeout:
            raise SystemExit(f"{files_in(outbox)} applications still undelivered after {timeout} s")
        time.sleep(0.05)
    return time.monotonic() - start


def load_run(args, env, lua, cwd, outbox=None):
    """One wrk run against a fresh form-fn; returns (req/s, p50 ms, p99 ms, max RSS MiB,
    deliveries/s to the end). With `outbox` (a folder store), waits until every
    application was delivered, and counts that time in the last figure."""
    timed = ["/usr/bin/time", "-f", "%M", "-o", os.path.join(tempfile.gettempdir(), "form-fn-rss.txt")] + args
    # Its own process group: /usr/bin/time does not pass SIGINT on to form-fn.
    process = subprocess.Popen(timed, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        wait_port(PORT)
        out = subprocess.run(
            ["wrk", "-t2", "-c16", f"-d{SECONDS}s", "--latency", "-s", lua, f"http://127.0.0.1:{PORT}/submit/bielefeld/einbuergerung"],
            capture_output=True, text=True, check=True,
        ).stdout
        waited = wait_delivered(outbox) if outbox else 0.0
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait()
    with open(os.path.join(tempfile.gettempdir(), "form-fn-rss.txt")) as f:
        rss = int(f.read().split()[-1]) / 1024

    def latency(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise SystemExit(f"form-fn refused {non_2xx.group(1)} requests:\n{out}")
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return rps, latency("50"), latency("99"), rss, total / (SECONDS + waited)


def main():
    work = tempfile.mkdtemp(prefix="form-fn-bench-")
    site = os.path.join(work, "site")
    function = os.path.join(work, "function")
    subprocess.run([os.path.join(BIN, "site-gen"), "build", "--root", ROOT, "--out", site,
                    "--function-out", function,
                    "--form-endpoint", f"http://127.0.0.1:{PORT}"], check=True, stdout=subprocess.DEVNULL)
    registry = os.path.join(function, "registry.json")
    content_type, body = multipart_body()
    body_file = os.path.join(work, "body.bin")
    with open(body_file, "wb") as f:
        f.write(body)
    lua = os.path.join(work, "post.lua")
    script = ('local f = io.open("%s", "rb")\nwrk.method = "POST"\nwrk.body = f:read("*a")\nf:close()\n'
              'wrk.headers["Content-Type"] = "%s"\n' % (body_file, content_type))
    with open(lua, "w") as f:
        f.write(script)
    # Each client pauses 10 ms after every answer: about 1,200 submissions/s offered.
    paced = os.path.join(work, "paced.lua")
    with open(paced, "w") as f:
        f.write(script + "function delay()\n  return 10\nend\n")
    tmpfs = tempfile.mkdtemp(prefix="form-fn-bench-", dir="/dev/shm") if os.path.isdir("/dev/shm") else None

    env = dict(os.environ)
    # The sample site's signing key (test only): form-fn signs what it delivers.
    with open(os.path.join(ROOT, "tests/keys/form-fn-signing.txt")) as f:
        env["FORM_FN_SIGNING_KEY"] = f.read()
    s3_env = dict(env, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench-secret",
                  AWS_REGION="eu-central-1", AWS_ENDPOINT_URL=f"http://127.0.0.1:{S3_PORT}")
    s3_root = os.path.join(work, "s3")
    os.makedirs(os.path.join(s3_root, "applications"))
    s3 = subprocess.Popen(["s3s-fs", "--host", "127.0.0.1", "--port", str(S3_PORT), "--access-key", "bench",
                           "--secret-key", "bench-secret", s3_root], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(S3_PORT)
    # form-fn works in `work`: the sample's mailboxes (mailboxes/<slug>) are there.
    serve = lambda store, registry=registry, extra=(): [
        os.path.join(BIN, "form-fn"), "serve", "--listen", f"127.0.0.1:{PORT}",
        "--registry", registry, "--store", store, *extra]
    try:
        starts = [first_answer_ms(serve(os.path.join(work, f"start-{i}")), env, work) for i in range(max(RUNS, 5))]
        print(f"machine: {os.cpu_count()} cores; body {len(body)} bytes; {SECONDS} s x {RUNS} runs, 16 connections (wrk -t2 -c16)")
        print(f"start to first answer: median {statistics.median(starts):.1f} ms (runs: {', '.join(f'{s:.1f}' for s in starts)})")
        print(f"{'mode':<46} {'subm/s':>7} {'p50_ms':>7} {'p99_ms':>7} {'peak_rss_mib':>12} {'delivered/s':>11}")
        modes = [
            ("folder, queue only (as in Lambda)", os.path.join(work, "queued"), env, ("--queue-only",), None, lua),
            ("folder, queue only, 10 ms pause per client", os.path.join(work, "paced"), env, ("--queue-only",), None, paced),
            ("s3s-fs, queue only (as in Lambda)", "s3://applications/queued", s3_env, ("--queue-only",), None, lua),
            ("folder, delivered at once", os.path.join(work, "store"), env, (), os.path.join(work, "store", "outbox"), lua),
            ("s3s-fs, delivered at once", "s3://applications/bench", s3_env, (),
             os.path.join(s3_root, "applications", "bench", "outbox"), lua)]
        if tmpfs:
            modes[2:2] = [
                ("baseline: tmpfs folder, queue only", os.path.join(tmpfs, "queued"), env, ("--queue-only",), None, lua),
                ("baseline: tmpfs folder, 10 ms pause", os.path.join(tmpfs, "paced"), env, ("--queue-only",), None, paced)]
        for name, store, store_env, extra, outbox, script_file in modes:
            runs = []
            for _ in range(RUNS):
                runs.append(load_run(serve(store, extra=extra), store_env, script_file, work, outbox))
                if store.startswith("/") and not outbox:
                    subprocess.run(["rm", "-rf", store])  # each run starts empty; tmpfs is memory
            median = lambda i: statistics.median(r[i] for r in runs)
            to_end = f"{median(4):>11.0f}" if outbox else f"{'':>11}"
            print(f"{name:<46} {median(0):>7.0f} {median(1):>7.2f} {median(2):>7.2f} {median(3):>12.1f} {to_end}")
        delivered = files_in(os.path.join(work, "mailboxes", "bielefeld")) // 2
        stored = sum(len(files) for _, _, files in os.walk(os.path.join(work, "store", "submissions")))
        stored += sum(len(files) for _, _, files in os.walk(os.path.join(s3_root, "applications", "bench", "submissions")))
        print(f"all delivered: {delivered} packages in the mailbox for {stored} stored applications")
        if delivered != stored:
            raise SystemExit("not every stored application reached the mailbox")

        rates = []
        for i in range(RUNS):
            blocked = os.path.join(work, f"blocked-{i}")
            open(blocked, "w").close()  # a file where the mailbox folder should be
            with open(registry) as f:
                data = json.load(f)
            data["municipalities"]["bielefeld"]["transport"] = {"mailbox": {"location": os.path.join(blocked, "box")}}
            queued_registry = os.path.join(function, f"registry-blocked-{i}.json")
            with open(queued_registry, "w") as f:
                json.dump(data, f)
            store = os.path.join(work, f"drain-store-{i}")
            load_run(serve(store, queued_registry, ("--drain-every", "0")), env, lua, work)
            queued = files_in(os.path.join(store, "outbox"))
            data["municipalities"]["bielefeld"]["transport"] = {"mailbox": {"location": os.path.join(work, f"drained-{i}")}}
            with open(queued_registry, "w") as f:
                json.dump(data, f)
            start = time.monotonic()
            subprocess.run([os.path.join(BIN, "form-fn"), "drain", "--now", "--registry", queued_registry, "--store", store],
                           cwd=work, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            seconds = time.monotonic() - start
            left = files_in(os.path.join(store, "outbox"))
            arrived = files_in(os.path.join(work, f"drained-{i}")) // 2
            if left or arrived != queued:
                raise SystemExit(f"the drain left applications undelivered: {queued} queued, "
                                 f"{arrived} arrived, {left} still in the outbox")
            rates.append((queued, queued / seconds, seconds))
        median_rate = statistics.median(r[1] for r in rates)
        print(f"drain --now to a folder mailbox: median {median_rate:.0f} deliveries/s "
              f"(runs: {', '.join(f'{n} in {t:.1f} s' for n, _, t in rates)})")
    finally:
        s3.terminate()
        s3.wait()
        subprocess.run(["rm", "-rf", work] + ([tmpfs] if tmpfs else []))


if __name__ == "__main__":
    sys.exit(main())
