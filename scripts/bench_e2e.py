#!/usr/bin/env python3
"""End-to-end benchmarks of netkit on loopback, side by side with the C reference server.

Runs, alternating the order in each repetition:
  * `netkit load` -> `netkit serve` at 16x16 and 1x1 (64-byte payloads),
  * rawload (Go) and cload (C) -> `netkit serve` and -> cecho (C), at 16x16 and 16x1,
  * cload -> cecho at 1x1: this machine's bare round trip,
and prints medians and paired ratios as Markdown. Raw results go to bench-results/e2e-*.jsonl.

Needs: the CLI jar (./netkit builds it), gcc, and go for rawload (apt-get install golang-go).
Drivers are built from ../shared/tools into bench-results/tools. Loopback only; every process
started is stopped. Usage: scripts/bench_e2e.py [--reps 3] [--seconds 4] [--only NAME,...]
"""
import argparse, json, os, re, shutil, signal, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS_SRC = os.path.join(os.path.dirname(ROOT), "shared", "tools")
OUT = os.path.join(ROOT, "bench-results")
TOOLS = os.path.join(OUT, "tools")
JAR = os.path.join(ROOT, "netkit-cli", "target", "netkit.jar")


def java():
    """The java binary and flags the ./netkit launcher uses."""
    out = subprocess.run(["bash", "-c", f". {ROOT}/scripts/find-jdk.sh && netkit_find_jdk && echo $JAVA_HOME && echo $NETKIT_JVM_FLAGS"],
                         capture_output=True, text=True, check=True).stdout.strip().splitlines()
    return [os.path.join(out[0], "bin", "java")] + out[1].split()


def build_tools():
    os.makedirs(TOOLS, exist_ok=True)
    if not os.path.exists(f"{TOOLS}/cecho"):
        subprocess.run(["gcc", "-O2", "-pthread", "-o", f"{TOOLS}/cecho", f"{TOOLS_SRC}/cecho.c"], check=True)
    if not os.path.exists(f"{TOOLS}/cload"):
        subprocess.run(["gcc", "-O2", "-o", f"{TOOLS}/cload", f"{TOOLS_SRC}/cload.c"], check=True)
    if not os.path.exists(f"{TOOLS}/rawload"):
        if shutil.which("go") is None:
            sys.exit("go is needed for rawload: apt-get install -y golang-go")
        src = f"{TOOLS}/rawload-src"
        shutil.rmtree(src, ignore_errors=True)
        shutil.copytree(f"{TOOLS_SRC}/rawload", src)
        os.chmod(src, 0o755)
        subprocess.run(["go", "build", "-o", f"{TOOLS}/rawload", "."], cwd=src, check=True,
                       env={**os.environ, "GOFLAGS": "-mod=mod", "GOCACHE": f"{TOOLS}/gocache"})


class Server:
    def __init__(self, name, argv, port=None):
        self.name, self.argv, self.port = name, argv, port
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        if port is None:  # netkit serve prints "listening on HOST:PORT" first
            line = self.proc.stdout.readline()
            m = re.search(r"listening on .*:(\d+)", line)
            if not m:
                self.stop()
                sys.exit(f"{name}: unexpected first line {line!r}")
            self.port = int(m.group(1))
        else:
            time.sleep(0.3)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def run(argv, timeout):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    return p.stdout


def go_duration_us(s):
    m = re.match(r"([\d.]+)(ns|µs|us|ms|s)", s)
    v, u = float(m.group(1)), m.group(2)
    return v * {"ns": 1e-3, "µs": 1, "us": 1, "ms": 1e3, "s": 1e6}[u]


def drive(driver, port, c, d, secs, jv):
    if driver == "netkit-load":
        out = run(jv + ["-jar", JAR, "load", "--target", f"127.0.0.1:{port}",
                   "--connections", str(c), "--depth", str(d), "--size", "64", "--duration", f"{secs}s",
                   "--warmup", "2s", "--json"], secs + 30)
        j = json.loads(out.strip().splitlines()[-1])
        assert j["mismatched"] == 0 and j["errors"] == 0, j
        return {"rps": j["throughput_rps"], "p50": j["latency_us"]["p50"], "p99": j["latency_us"]["p99"]}
    if driver == "cload":
        out = run([f"{TOOLS}/cload", "-a", "127.0.0.1", "-p", str(port), "-c", str(c), "-d", str(d), "-s", "64",
                   "-w", "1000", "-T", str(secs * 1000)], secs + 30)
        m = re.search(r"RESULT ok=(\d+) bad=(\d+) .*rps=([\d.]+) p50us=([\d.]+) p90us=[\d.]+ p99us=([\d.]+)", out)
        assert m and m.group(2) == "0", out
        return {"rps": float(m.group(3)), "p50": float(m.group(4)), "p99": float(m.group(5))}
    if driver == "rawload":
        out = run([f"{TOOLS}/rawload", "-addr", f"127.0.0.1:{port}", "-conns", str(c), "-depth", str(d), "-size", "64",
                   "-duration", f"{secs}s", "-warmup", "1s"], secs + 30)
        m = re.search(r"ok=(\d+) bad=(\d+) throughput=([\d.]+)", out)
        lat = re.search(r"p50=(\S+) p90=\S+ p99=(\S+)", out)
        assert m and m.group(2) == "0", out
        return {"rps": float(m.group(3)), "p50": go_duration_us(lat.group(1)), "p99": go_duration_us(lat.group(2))}
    raise ValueError(driver)


SCENARIOS = [  # name, driver, conns, depth, servers
    ("netkit-load 16x16", "netkit-load", 16, 16, ["netkit"]),
    ("netkit-load 1x1", "netkit-load", 1, 1, ["netkit"]),
    ("rawload 16x16", "rawload", 16, 16, ["netkit", "cecho"]),
    ("rawload 16x1", "rawload", 16, 1, ["netkit", "cecho"]),
    ("cload 16x16", "cload", 16, 16, ["netkit", "cecho"]),
    ("cload 1x1", "cload", 1, 1, ["netkit", "cecho"]),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=4)
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    if not os.path.exists(JAR):
        sys.exit("build the CLI first: ./netkit --help")
    build_tools()
    jv = java()
    scenarios = [s for s in SCENARIOS if not a.only or s[0] in a.only.split(",")]
    os.makedirs(OUT, exist_ok=True)
    log = open(os.path.join(OUT, time.strftime("e2e-%Y%m%d-%H%M%S.jsonl")), "w")
    servers = {
        "netkit": Server("netkit", jv + ["-jar", JAR, "serve", "--port", "0"]),
        "cecho": Server("cecho", [f"{TOOLS}/cecho", "-a", "127.0.0.1", "-p", "19555", "-t", "1", "-d", "3000"], 19555),
    }
    results = {}
    try:
        for _ in range(2):  # JIT warm-up of the server, unrecorded
            drive("cload", servers["netkit"].port, 16, 16, 3, jv)
        for rep in range(a.reps):
            for name, driver, c, d, targets in scenarios:
                order = targets if rep % 2 == 0 else list(reversed(targets))
                for t in order:
                    r = drive(driver, servers[t].port, c, d, a.seconds, jv)
                    r.update(scenario=name, server=t, rep=rep)
                    results.setdefault((name, t), []).append(r)
                    log.write(json.dumps(r) + "\n")
                    log.flush()
                    print(f"rep {rep} {name:18s} -> {t:6s} {r['rps']:>12,.0f} req/s  p50 {r['p50']:8.1f}us  p99 {r['p99']:8.1f}us",
                          file=sys.stderr)
    finally:
        for s in servers.values():
            s.stop()
    print("| driver c x d | server | req/s median (min-max) | p50 us | p99 us | netkit / cecho (paired, median (min-max)) |")
    print("|---|---|---|---|---|---|")
    for name, _, _, _, targets in scenarios:
        for t in targets:
            rs = results[(name, t)]
            rps = [r["rps"] for r in rs]
            ratio = ""
            if t == "netkit" and (name, "cecho") in results:
                pairs = [n["rps"] / c["rps"] for n, c in zip(rs, results[(name, "cecho")])]
                ratio = f"{statistics.median(pairs):.2f} ({min(pairs):.2f}-{max(pairs):.2f})"
            print(f"| {name} | {t} | {statistics.median(rps):,.0f} ({min(rps):,.0f}-{max(rps):,.0f}) | "
                  f"{statistics.median(r['p50'] for r in rs):.0f} | {statistics.median(r['p99'] for r in rs):.0f} | {ratio} |")


if __name__ == "__main__":
    main()
