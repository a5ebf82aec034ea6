#!/usr/bin/env python3
"""old serve + old load vs new serve + new load, side by side (each variant is a serve jar and a load jar).
Every repetition starts one server per variant (from that variant's jar), warms each with one
unrecorded load run from the same variant's jar, then runs the measured loads in rotated order.
Usage: load_pairs.py --reps 7 --seconds 4 --variant NAME=SERVEJAR,LOADJAR ..."""
import argparse, json, re, shlex, statistics, subprocess, sys
sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__)))
from bench_e2e import java

ap = argparse.ArgumentParser()
ap.add_argument("--reps", type=int, default=7)
ap.add_argument("--seconds", type=int, default=4)
ap.add_argument("--warm-seconds", type=int, default=2)
ap.add_argument("--load-args", default="--connections 16 --depth 16 --size 64")
ap.add_argument("--variant", action="append", required=True)
a = ap.parse_args()
variants = []
for v in a.variant:
    name, jars = v.split("=", 1)
    serve, load = jars.split(",")
    variants.append((name, serve, load))
jv = java()
res = {n: [] for n, _, _ in variants}
p99s = {n: [] for n, _, _ in variants}

def load(jar, port, secs, warm):
    cmd = jv + ["-jar", jar, "load", "--target", f"127.0.0.1:{port}", "--duration", f"{secs}s",
                "--warmup", warm, "--json"] + shlex.split(a.load_args)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=secs + 60)
    return json.loads(out.stdout.strip().splitlines()[-1])

for rep in range(a.reps):
    servers = {}
    try:
        for name, serve, loadjar in variants:
            p = subprocess.Popen(jv + ["-jar", serve, "serve", "--port", "0"], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True)
            m = re.search(r"listening on .*:(\d+)", p.stdout.readline())
            if not m:
                sys.exit(f"{name}: no 'listening on' line")
            servers[name] = (p, m.group(1))
        for name, serve, loadjar in variants:  # unrecorded warm-up of each server by its own client
            load(loadjar, servers[name][1], a.warm_seconds, "1s")
        order = variants[rep % len(variants):] + variants[:rep % len(variants)]
        for name, serve, loadjar in order:
            j = load(loadjar, servers[name][1], a.seconds, "1s")
            res[name].append(j["throughput_rps"]); p99s[name].append(j["latency_us"]["p99"])
            print(f"rep {rep+1} {name:10s} {j['throughput_rps']:>12,.0f} req/s p99 {j['latency_us']['p99']:.0f}us errors {j['errors']}",
                  file=sys.stderr, flush=True)
    finally:
        for p, _ in servers.values():
            p.terminate(); p.wait(timeout=15)
base = variants[0][0]
print(json.dumps({"results": res, "p99": p99s}))
print(f"| variant | median req/s (min–max) | paired ratio vs {base} (min–max) | p99 µs (median) |")
print("|---|---|---|---|")
for name, _, _ in variants:
    r = [x / y for x, y in zip(res[name], res[base])]
    print(f"| {name} | {statistics.median(res[name]):,.0f} ({min(res[name]):,.0f}–{max(res[name]):,.0f}) | "
          f"{statistics.median(r):.3f} ({min(r):.3f}–{max(r):.3f}) | {statistics.median(p99s[name]):.0f} |")
