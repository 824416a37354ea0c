#!/usr/bin/env python3
"""Benchmark of `imu2clip serve`: /v1/ask latency with the built-in answerer and server memory.

Starts the real binary on a free loopback port with a temporary database, imports one day of
minute-level log lines (1440 minutes x 2 labels), then asks a fixed set of questions from 1 and
16 concurrent clients (keep-alive connections, Python stdlib only). Each configuration runs
--repeats times; the report gives the median of the runs' p50/p99 and throughput, and the
server's resident memory (VmRSS) after start (model loaded) and after the runs.

  python3 bench/server/bench_server.py [--binary build/services/cli/imu2clip] [--model B.safetensors]
                                       [--requests 400] [--repeats 3] [--json]
Without --model the binary resolves its model as `serve` does (embedded default, else untrained).
"""
import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

DAY = 1710028800  # 2024-03-10T00:00:00Z
QUESTIONS = [
    "How long did I walk today?",
    "How long did I sit today?",
    "When did I start working today?",
    "What did I do at 3pm?",
    "How much time did I spend at home today?",
    "Did I run today?",
    "When did I last eat?",
    "How many times did I walk today?",
]


def schedule(minute):
    """One plausible day: (activity, place) for each minute."""
    h = minute / 60
    if h < 7: return "sleeping", "at home"
    if h < 7.5: return "eating", "at home"
    if h < 8: return "walking", "outdoors"
    if h < 12: return "sitting", "at work"
    if h < 12.5: return "eating", "at work"
    if h < 17: return "sitting", "at work"
    if h < 17.5: return "walking", "outdoors"
    if h < 18: return "running", "outdoors"
    if h < 19: return "eating", "at home"
    if h < 23: return "sitting", "at home"
    return "sleeping", "at home"


def day_jsonl():
    lines = []
    for m in range(1440):
        activity, place = schedule(m)
        lines.append(json.dumps({"t": DAY + 60 * m, "duration_s": 60, "labels": [activity, place],
                                 "modality": "context"}))
    return "\n".join(lines) + "\n"


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    """utime + stime of the server process (all threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(binary, model, workdir, threads):
    db = os.path.join(workdir, "bench.db")
    args = [binary, "serve", "--db", db, "--port", "0", "--threads", str(threads), "--rate-limit", "0"]
    if model:
        args += ["--model", model]
    out = open(os.path.join(workdir, "out"), "w+")
    err = open(os.path.join(workdir, "err"), "w+")
    env = dict(os.environ)
    env.setdefault("OPENBLAS_CORETYPE", "SkylakeX")
    proc = subprocess.Popen(args, stdout=out, stderr=err, env=env)
    deadline = time.time() + 120
    while time.time() < deadline:
        text = open(out.name).read()
        port = re.search(r"serving on http://127\.0\.0\.1:(\d+)/", text)
        token = re.search(r"sign in with token: (i2c_[0-9a-f]+)", text)
        if port and token:
            return proc, int(port.group(1)), token.group(1)
        if proc.poll() is not None:
            sys.exit("serve exited:\n" + open(err.name).read())
        time.sleep(0.05)
    proc.kill()
    sys.exit("serve did not start:\n" + open(err.name).read())


def request(conn, method, path, token, body=None, content_type="application/json"):
    headers = {"Authorization": "Bearer " + token}
    if body is not None:
        headers["Content-Type"] = content_type
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    if resp.status >= 300:
        raise RuntimeError(f"{method} {path}: {resp.status} {data[:300]!r}")
    return json.loads(data)


def run_clients(port, token, clients, total, pid):
    latencies = []
    lock = threading.Lock()
    per_client = total // clients
    errors = []

    def client(index):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        try:
            for i in range(per_client):
                q = QUESTIONS[(index + i) % len(QUESTIONS)]
                body = json.dumps({"question": q, "as_of": "2024-03-10T23:30:00Z", "tz": "UTC"})
                t0 = time.perf_counter()
                request(conn, "POST", "/v1/ask", token, body)
                mine.append(time.perf_counter() - t0)
        except Exception as e:  # reported below; a failed run must not look fast
            errors.append(str(e))
        finally:
            conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    cpu0 = cpu_seconds(pid)
    t0 = time.perf_counter()
    for t in threads: t.start()
    for t in threads: t.join()
    wall = time.perf_counter() - t0
    cpu = cpu_seconds(pid) - cpu0
    if errors:
        sys.exit("requests failed: " + errors[0])
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    return {"p50_ms": pick(0.50), "p99_ms": pick(0.99), "rps": len(latencies) / wall, "n": len(latencies),
            "server_cpu_ms_per_request": 1000 * cpu / len(latencies)}


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default=os.path.join(root, "build", "services", "cli", "imu2clip"))
    ap.add_argument("--model", default="")
    ap.add_argument("--requests", type=int, default=400, help="requests per run")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=16, help="server worker threads")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="imu2clip-bench-server-") as workdir:
        proc, port, token = start_server(args.binary, args.model, workdir, args.threads)
        try:
            time.sleep(0.5)
            rss_start = rss_kib(proc.pid)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            imported = request(conn, "POST", "/v1/logs/import", token, day_jsonl(), "application/x-ndjson")
            health = json.loads((conn.request("GET", "/healthz"), conn.getresponse().read())[1])
            sample = request(conn, "POST", "/v1/ask", token,
                             json.dumps({"question": QUESTIONS[0], "as_of": "2024-03-10T23:30:00Z", "tz": "UTC"}))
            conn.close()
            results = {}
            for clients in (1, 16):
                run_clients(port, token, clients, min(64, args.requests), proc.pid)  # warm-up
                runs = [run_clients(port, token, clients, args.requests, proc.pid) for _ in range(args.repeats)]
                results[clients] = {k: statistics.median(r[k] for r in runs) for k in ("p50_ms", "p99_ms", "rps", "server_cpu_ms_per_request")}
                results[clients]["runs"] = runs
            rss_end = rss_kib(proc.pid)
        finally:
            proc.terminate()
            code = proc.wait(timeout=60)
    report = {"model_id": health.get("model_id"), "imported_entries": imported["imported"],
              "sample_answer": sample["answer"], "server_threads": args.threads,
              "requests_per_run": args.requests, "repeats": args.repeats,
              "ask": {f"{c}_clients": r for c, r in results.items()},
              "rss_mib_after_start": round(rss_start / 1024, 1), "rss_mib_after_bench": round(rss_end / 1024, 1),
              "exit_code": code}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"model {report['model_id']}; {imported['imported']} log entries (one day, minute level)")
    print(f"sample answer: {sample['answer']}")
    for c, r in results.items():
        print(f"/v1/ask {c:2d} client(s): p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms  "
              f"{r['rps']:.0f} req/s  server CPU {r['server_cpu_ms_per_request']:.2f} ms/req  (median of {args.repeats} runs x {args.requests} requests)")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end")
    print(f"server RSS: {report['rss_mib_after_start']} MiB after start (model loaded), "
          f"{report['rss_mib_after_bench']} MiB after the runs; exit code {code}")


if __name__ == "__main__":
    main()
