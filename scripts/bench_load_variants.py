#!/usr/bin/env python3
"""Compares `netkit load` variants against one `netkit serve`, side by side.

Each variant is NAME=JAR[ extra load options], for example:
  scripts/bench_load_variants.py --reps 5 --seconds 4 \\
      --variant "before=/tmp/netkit-old.jar" --variant "pool=netkit-cli/target/netkit.jar" \\
      --variant "pool+validation=netkit-cli/target/netkit.jar --validation-interval 100ms"
Every repetition runs all variants in a rotated order (16x16, 64-byte payloads unless --load-args
says otherwise) against a fresh server from the current jar, and the script prints medians,
paired ratios against the first variant, and the reuse rate / connections opened the load
reported (when the jar reports them). Loopback only; every process started is stopped.
"""
import argparse, json, os, re, shlex, statistics, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_e2e import JAR, java  # the same JDK and launcher flags as the other benchmarks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--seconds", type=int, default=4)
    ap.add_argument("--load-args", default="--connections 16 --depth 16 --size 64")
    ap.add_argument("--variant", action="append", required=True)
    a = ap.parse_args()
    variants = []
    for v in a.variant:
        name, rest = v.split("=", 1)
        parts = shlex.split(rest)
        variants.append((name, parts[0], parts[1:]))
    jv = java()
    results = {name: [] for name, _, _ in variants}
    extra = {name: [] for name, _, _ in variants}
    for rep in range(a.reps):
        server = subprocess.Popen(jv + ["-jar", JAR, "serve", "--port", "0"], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        try:
            m = re.search(r"listening on .*:(\d+)", server.stdout.readline())
            if not m:
                sys.exit("serve: no 'listening on' line")
            port = m.group(1)
            order = variants[rep % len(variants):] + variants[:rep % len(variants)]
            for name, jar, opts in order:
                cmd = jv + ["-jar", jar, "load", "--target", f"127.0.0.1:{port}", "--duration", f"{a.seconds}s",
                            "--warmup", "1s", "--json"] + shlex.split(a.load_args) + opts
                out = subprocess.run(cmd, capture_output=True, text=True, timeout=a.seconds + 60)
                j = json.loads(out.stdout.strip().splitlines()[-1])
                results[name].append(j["throughput_rps"])
                extra[name].append((j.get("connections_opened"), j.get("reuse_rate"), j["errors"], j["latency_us"]["p99"]))
                print(f"rep {rep + 1} {name:20s} {j['throughput_rps']:>12,.0f} req/s  p99 {j['latency_us']['p99']:.0f}us"
                      f"  errors {j['errors']}  opened {j.get('connections_opened')}  reuse {j.get('reuse_rate')}"
                      f"  validations {j.get('validations')}",
                      file=sys.stderr)
        finally:
            server.terminate()
            server.wait(timeout=15)
    base = variants[0][0]
    print(f"| variant | median req/s | paired ratio vs {base} (min–max) | p99 µs (median) | connections opened | reuse rate |")
    print("|---|---|---|---|---|---|")
    for name, _, _ in variants:
        ratios = [x / y for x, y in zip(results[name], results[base])]
        p99 = statistics.median(e[3] for e in extra[name])
        opened = {e[0] for e in extra[name]}
        reuse = [e[1] for e in extra[name] if e[1] is not None]
        print(f"| {name} | {statistics.median(results[name]):,.0f} | {statistics.median(ratios):.3f} "
              f"({min(ratios):.3f}–{max(ratios):.3f}) | {p99:.0f} | {','.join(map(str, sorted(opened, key=str)))} | "
              f"{(f'{min(reuse):.6f}' if reuse else 'n/a')} |")


if __name__ == "__main__":
    main()
