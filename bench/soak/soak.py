#!/usr/bin/env python3
"""Bounded soak of `imu2clip serve`: steady mixed load, then the same load with hostile clients.

Starts the real binary on a free loopback port with a temporary database (one imported day of
minute-level logs), then for --duration seconds runs --clients keep-alive clients, each cycling
through POST /v1/ask, GET /v1/logs, GET /v1/timeline and, once a second, POST /v1/imu (one
second of 50 Hz samples from its own device, so the live tagger works all the time). In the
second half hostile clients run at the same time: bodies trickled a byte at a time, bodies
declared far over the limit, chunked bodies that never end, and deeply nested JSON. The
server's resident memory is sampled every second.

Reported: p50/p99 per route for each half (the first --warmup seconds left out), the p99 of the
normal clients with the hostile ones over without them, every 5xx (must be 0), what the hostile
clients were answered, and RSS growth over the second half (flat: < 5 %). Exit status 1 when a
5xx was seen, the server died, or a target was missed.

  python3 bench/soak/soak.py [--binary build/services/cli/imu2clip] [--duration 300] [--json]
"""
import argparse
import http.client
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "server"))
from bench_server import DAY, QUESTIONS, day_jsonl, rss_kib, start_server  # noqa: E402

ROUTES = ("ask", "logs", "timeline", "imu")


class Recorder:
    """Latencies per (phase, route) and every status seen; thread-safe."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latency = {}
        self.statuses = {}
        self.errors = []

    def add(self, phase, route, status, seconds):
        with self.lock:
            self.statuses[(route, status)] = self.statuses.get((route, status), 0) + 1
            if phase is not None and status < 300:
                self.latency.setdefault((phase, route), []).append(seconds)


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else float("nan")


def normal_client(index, port, token, t_start, args, stop, rec):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    auth = {"Authorization": "Bearer " + token}
    device = f"soak{index}"
    data_start_ms = int(t_start * 1000) - 2 * 3600 * 1000  # live data two hours in the past
    next_imu = time.time()
    imu_seconds = 0
    i = index
    while not stop.is_set():
        route = ROUTES[i % 3]
        i += 1
        if time.time() >= next_imu:
            route = "imu"
        if route == "ask":
            q = QUESTIONS[i % len(QUESTIONS)]
            method, path = "POST", "/v1/ask"
            body = json.dumps({"question": q, "as_of": "2024-03-10T23:30:00Z", "tz": "UTC"})
        elif route == "logs":
            method, path, body = "GET", "/v1/logs?from=2024-03-10T00:00:00Z&to=2024-03-11T00:00:00Z&tz=UTC", None
        elif route == "timeline":
            method, path, body = "GET", "/v1/timeline?date=2024-03-10&tz=UTC", None
        else:
            start = data_start_ms + imu_seconds * 1000
            samples = [[0.3 * ((k * 7) % 11 - 5), 0.5, 9.8, 0.01 * (k % 13), 0.0, 0.02] for k in range(50)]
            body = json.dumps({"device": device, "device_kind": "watch", "start": start, "rate_hz": 50,
                               "samples": samples})
            method, path = "POST", "/v1/imu"
        headers = dict(auth)
        if body is not None:
            headers["Content-Type"] = "application/json"
        t0 = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            status = resp.status
        except Exception as e:  # a dropped connection is a failure, as a 5xx is
            rec.errors.append(f"{route}: {e!r}")
            status = 599
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        elapsed = time.perf_counter() - t0
        if route == "imu" and status == 202:
            imu_seconds += 1
            next_imu += 1.0
        elif route == "imu":
            next_imu = time.time() + 1.0  # 429 (backlog) or an error: retry the same second later
        now = time.time() - t_start
        phase = None if now < args.warmup or args.duration / 2 - 1 < now < args.duration / 2 + 1 else (
            "alone" if now < args.duration / 2 else "hostile")
        rec.add(phase, route, status, elapsed)
    conn.close()


def raw_status(sock):
    """The status code of the answer on `sock` (0 when the server closed without one)."""
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return 0
        data += chunk
    return int(data.split(b" ", 2)[1])


def hostile_client(kind, port, token, stop, rec):
    head = f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n"
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=40) as s:
                if kind == "slow_body":
                    # Declares 200 bytes and trickles 50 of them over 10 s, then gives up.
                    s.sendall(f"POST /v1/ask HTTP/1.1\r\n{head}Content-Length: 200\r\n\r\n".encode())
                    for _ in range(50):
                        if stop.is_set():
                            break
                        s.sendall(b"{")
                        time.sleep(0.2)
                    rec.add(None, "hostile_" + kind, 0, 0)
                    continue
                if kind == "oversized":
                    s.sendall(f"POST /v1/imu HTTP/1.1\r\n{head}Content-Length: 1073741824\r\n\r\n".encode())
                    s.sendall(b"[" * 65536)
                elif kind == "chunked":
                    s.sendall(f"POST /v1/ask HTTP/1.1\r\n{head}Transfer-Encoding: chunked\r\n\r\n".encode())
                    piece = b"x" * 65536
                    try:
                        for _ in range(64):  # 4 MiB, past the route's 1 MiB
                            s.sendall(b"10000\r\n" + piece + b"\r\n")
                    except OSError:
                        pass  # the server refused and closed: the answer is still there to read
                elif kind == "nested":
                    body = b"[" * 200000
                    s.sendall(f"POST /v1/ask HTTP/1.1\r\n{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
                rec.add(None, "hostile_" + kind, raw_status(s), 0)
        except OSError as e:
            rec.add(None, "hostile_" + kind, 0, 0)
            if stop.is_set():
                break
            if len(rec.errors) < 20:
                rec.errors.append(f"hostile {kind}: {e!r}")
        time.sleep(0.05)


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default=os.path.join(root, "build", "services", "cli", "imu2clip"))
    ap.add_argument("--model", default="")
    ap.add_argument("--duration", type=float, default=300, help="seconds; hostile clients join at half time")
    ap.add_argument("--warmup", type=float, default=20, help="seconds left out of latencies and memory")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--hostile", type=int, default=2, help="hostile clients of each kind")
    ap.add_argument("--threads", type=int, default=24, help="server worker threads")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    rec = Recorder()
    rss = []  # (seconds since start, KiB)
    with tempfile.TemporaryDirectory(prefix="imu2clip-soak-") as workdir:
        proc, port, token = start_server(args.binary, args.model, workdir, args.threads)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("POST", "/v1/logs/import", body=day_jsonl(),
                         headers={"Authorization": "Bearer " + token, "Content-Type": "application/x-ndjson"})
            imported = json.loads(conn.getresponse().read())
            conn.close()
            stop_all, stop_hostile = threading.Event(), threading.Event()
            t_start = time.time()

            def sample_rss():
                while not stop_all.is_set() and proc.poll() is None:
                    rss.append((time.time() - t_start, rss_kib(proc.pid)))
                    stop_all.wait(1.0)

            sampler = threading.Thread(target=sample_rss)
            sampler.start()
            normal = [threading.Thread(target=normal_client, args=(i, port, token, t_start, args, stop_all, rec))
                      for i in range(args.clients)]
            for t in normal:
                t.start()
            time.sleep(args.duration / 2)
            hostile = [threading.Thread(target=hostile_client, args=(kind, port, token, stop_hostile, rec))
                       for kind in ("slow_body", "oversized", "chunked", "nested") for _ in range(args.hostile)]
            for t in hostile:
                t.start()
            time.sleep(args.duration / 2)
            stop_all.set()
            stop_hostile.set()
            for t in normal + hostile + [sampler]:
                t.join()
            alive = proc.poll() is None
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/metrics")
            metrics = conn.getresponse().read().decode() if alive else ""
            conn.close()
        finally:
            proc.terminate()
            code = proc.wait(timeout=120)

    report = {"duration_s": args.duration, "warmup_s": args.warmup, "clients": args.clients,
              "hostile_per_kind": args.hostile, "server_threads": args.threads,
              "imported_entries": imported.get("imported"), "cpus": os.cpu_count(),
              "load_average_end": round(os.getloadavg()[0], 1), "server_survived": alive, "exit_code": code}
    routes = {}
    for route in ROUTES:
        r = {}
        for phase in ("alone", "hostile"):
            lat = rec.latency.get((phase, route), [])
            r[phase] = {"n": len(lat), "p50_ms": round(percentile(lat, 0.5), 2), "p99_ms": round(percentile(lat, 0.99), 2)}
        routes[route] = r
    report["routes"] = routes
    all_alone = [x for (p, _), v in rec.latency.items() if p == "alone" for x in v]
    all_hostile = [x for (p, _), v in rec.latency.items() if p == "hostile" for x in v]
    report["p99_ms_alone"] = round(percentile(all_alone, 0.99), 2)
    report["p99_ms_with_hostile"] = round(percentile(all_hostile, 0.99), 2)
    report["p99_ratio"] = round(report["p99_ms_with_hostile"] / report["p99_ms_alone"], 2)
    report["statuses"] = {f"{route} {status}": n for (route, status), n in sorted(rec.statuses.items())}
    # 599: a normal client's request that got no answer (connection dropped), counted apart.
    report["http_5xx"] = sum(n for (route, status), n in rec.statuses.items() if 500 <= status < 599)
    report["client_errors"] = rec.errors[:5]
    # Memory: median of 10 samples around half time vs. the last 10 (the second half: hostile clients).
    after_warmup = [(t, k) for t, k in rss if t >= args.warmup]
    mid = [k for t, k in after_warmup if abs(t - args.duration / 2) <= 5]
    end = [k for t, k in after_warmup][-10:]
    if mid and end:
        report["rss_mib_after_warmup"] = round(after_warmup[0][1] / 1024, 1)
        report["rss_mib_mid"] = round(statistics.median(mid) / 1024, 1)
        report["rss_mib_end"] = round(statistics.median(end) / 1024, 1)
        report["rss_mib_max"] = round(max(k for _, k in after_warmup) / 1024, 1)
        report["rss_growth_second_half_pct"] = round(100 * (statistics.median(end) / statistics.median(mid) - 1), 2)
    for line in metrics.splitlines():
        if line.startswith(("imu2clip_live_queue_windows ", "imu2clip_windows_tagged_total ",
                            "imu2clip_samples_ingested_total ", "imu2clip_live_sessions_set_aside_total ")):
            name, value = line.split()
            report[name] = float(value)
    ok = (alive and report["http_5xx"] == 0 and not rec.errors[:1] and report["p99_ratio"] <= 2.0
          and report.get("rss_growth_second_half_pct", 100) < 5)
    report["targets_met"] = ok

    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{args.clients} clients for {args.duration:.0f} s ({args.warmup:.0f} s warm-up); hostile clients "
              f"({args.hostile} of each kind) in the second half; server --threads {args.threads}; "
              f"{report['cpus']} CPUs, load {report['load_average_end']} at the end")
        for route, r in routes.items():
            print(f"  {route:9s} alone: n {r['alone']['n']:6d} p50 {r['alone']['p50_ms']:8.2f} ms p99 "
                  f"{r['alone']['p99_ms']:8.2f} ms | with hostile: n {r['hostile']['n']:6d} p50 "
                  f"{r['hostile']['p50_ms']:8.2f} ms p99 {r['hostile']['p99_ms']:8.2f} ms")
        print(f"  all routes p99: {report['p99_ms_alone']} ms alone, {report['p99_ms_with_hostile']} ms with hostile "
              f"clients (x{report['p99_ratio']}, target <= 2)")
        print(f"  5xx: {report['http_5xx']}; client errors: {len(rec.errors)}; server survived: {alive}, exit {code}")
        print("  statuses: " + ", ".join(f"{k}: {v}" for k, v in report["statuses"].items()))
        if "rss_mib_mid" in report:
            print(f"  RSS: {report['rss_mib_after_warmup']} MiB after warm-up, {report['rss_mib_mid']} MiB at half time, "
                  f"{report['rss_mib_end']} MiB at the end (max {report['rss_mib_max']}): "
                  f"{report['rss_growth_second_half_pct']} % over the second half (target < 5 %)")
        print(f"  targets met: {ok}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
