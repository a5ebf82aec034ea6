#!/usr/bin/env python3
"""Failover on loopback with the shaded CLI: three `netkit serve` processes under
`netkit load --lb least-outstanding`; one is killed with SIGKILL a few seconds into the measured
window and restarted on the same port later. Prints the figures for BENCHMARKS.md: time to
ejection, time to return, requests failed, throughput before / during / after, and the timeline.

The schedule is anchored on the load's first progress line (1 s into the measured window), so
JVM start and warm-up do not shift it. The load's JSON report goes to bench-results/failover-*.json.

Needs the CLI jar (./netkit builds it, or: mvn -q package -DskipTests -pl netkit-cli -am).
Every process started is stopped. Usage:
  scripts/failover.py [--duration 16] [--warmup 5] [--kill-at 3] [--restart-at 6] [--ejection-time 1s]
                      [--lb least-outstanding] [--connections 2] [--depth 8]
The warm-up is longer than FailoverTest's 1 s: a fresh load JVM is still compiling for several
seconds, which would make the rate "before the kill" look far lower than the rest.
"""
import argparse, json, os, re, signal, subprocess, sys, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench-results")
JAR = os.path.join(ROOT, "netkit-cli", "target", "netkit.jar")
PROGRESS = re.compile(r"^\[\s*(\d+\.\d)s\]")


def java():
    """The java binary and flags the ./netkit launcher uses."""
    out = subprocess.run(["bash", "-c", f". {ROOT}/scripts/find-jdk.sh && netkit_find_jdk && echo $JAVA_HOME && echo $NETKIT_JVM_FLAGS"],
                         capture_output=True, text=True, check=True).stdout.strip().splitlines()
    return [os.path.join(out[0], "bin", "java")] + out[1].split()


class Serve:
    """`netkit serve` on loopback; port 0 picks a free one (read from its first stdout line)."""

    def __init__(self, jv, port=0):
        self.proc = subprocess.Popen(jv + ["-Xmx128m", "-jar", JAR, "serve", "--port", str(port), "--io-threads", "1"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()  # bounded: the JVM prints it or exits (EOF)
        m = re.search(r"listening on .*:(\d+)", line)
        if not m:
            self.kill()
            raise RuntimeError(f"netkit serve --port {port} did not start: first line {line!r}")
        self.port = int(m.group(1))
        self.ready = time.time()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()  # SIGKILL: no graceful close, as in a crash
            self.proc.wait(10)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def whole_rate(entries):
    """req/s over whole seconds of the timeline together (None when there are none)."""
    entries = [t for t in entries if t["ms"] >= 900]
    if not entries:
        return None
    return sum(t["requests"] for t in entries) * 1000 / sum(t["ms"] for t in entries)


def fmt(rate):
    return "n/a" if rate is None else f"{rate:,.0f} req/s"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=12, help="measured seconds")
    ap.add_argument("--warmup", type=int, default=5, help="unmeasured seconds before them")
    ap.add_argument("--kill-at", type=float, default=3, help="seconds into the measured window")
    ap.add_argument("--restart-at", type=float, default=6, help="seconds into the measured window")
    ap.add_argument("--ejection-time", default="1s")
    ap.add_argument("--lb", default="least-outstanding")
    ap.add_argument("--connections", type=int, default=2)
    ap.add_argument("--depth", type=int, default=8)
    ap.add_argument("--health-interval", default="500ms", help="0s = no active health checks")
    ap.add_argument("--retries", type=int, default=1)
    a = ap.parse_args()
    if not os.path.exists(JAR):
        sys.exit("build the CLI first: ./netkit --help (or mvn -q package -DskipTests -pl netkit-cli -am)")
    if not 1 <= a.kill_at < a.restart_at < a.duration:
        sys.exit("expected 1 <= --kill-at < --restart-at < --duration")
    jv = java()
    servers = [Serve(jv) for _ in range(3)]
    victim = servers[2]
    targets = ",".join(f"127.0.0.1:{s.port}" for s in servers)
    victim_target = f"127.0.0.1:{victim.port}"
    load = subprocess.Popen(jv + ["-jar", JAR, "load", "--target", targets, "--lb", a.lb,
                                  "--connections", str(a.connections), "--depth", str(a.depth),
                                  "--duration", f"{a.duration}s", "--warmup", f"{a.warmup}s", "--timeout", "2s",
                                  "--ejection-time", a.ejection_time, "--health-interval", a.health_interval,
                                  "--retries", str(a.retries), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first_tick = threading.Event()
    progress = []

    def read_progress():
        for line in load.stderr:
            if PROGRESS.match(line):
                progress.append(line.rstrip())
                first_tick.set()

    threading.Thread(target=read_progress, daemon=True).start()
    killed_at = restarted_at = None
    try:
        if not first_tick.wait(60 + a.warmup):
            sys.exit("netkit load printed no progress line within 60 s")
        anchor = time.time() - 1.0  # the first progress line comes 1 s into the window
        time.sleep(max(0.0, anchor + a.kill_at - time.time()))
        killed_at = time.time()
        victim.kill()
        time.sleep(max(0.0, anchor + a.restart_at - time.time()))
        restarted = Serve(jv, victim.port)  # the same port
        servers.append(restarted)
        restarted_at = restarted.ready
        out, _ = load.communicate(timeout=a.duration + 60)
    finally:
        if load.poll() is None:
            load.kill()
            load.wait(10)
        for s in servers:
            s.stop()
    if load.returncode != 0:
        sys.exit(f"netkit load exited {load.returncode}")
    j = json.loads(out.strip().splitlines()[-1])
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, time.strftime("failover-%Y%m%d-%H%M%S.json"))
    with open(path, "w") as f:
        json.dump(j, f)

    start = j["start_epoch_ms"]
    kill_ms = killed_at * 1000 - start
    restart_ms = restarted_at * 1000 - start
    events = [e for e in j["events"] if e["endpoint"] == victim_target]
    ejected = [e for e in events if e["type"] == "ejected" and e["at_ms"] >= kill_ms - 20]
    final_return = events[-1] if events and events[-1]["type"] in ("returned", "healthy") else None
    timeline = j["timeline"]
    answered_again = next((t for t in timeline if t["t_ms"] - t["ms"] >= restart_ms and t["answered"][victim_target] > 0), None)
    back_ms = final_return["at_ms"] if final_return else None
    before = whole_rate([t for t in timeline if t["t_ms"] <= kill_ms])
    during = whole_rate([t for t in timeline if t["t_ms"] - t["ms"] >= kill_ms and (back_ms is None or t["t_ms"] <= back_ms)])
    after = whole_rate([t for t in timeline if back_ms is not None and t["t_ms"] - t["ms"] >= back_ms])
    victim_stats = next(e for e in j["endpoints"] if e["address"] == victim_target)

    print(f"scenario      3 x netkit serve, netkit load --lb {a.lb} {a.connections}x{a.depth} per target, "
          f"{a.duration} s measured after {a.warmup} s warm-up; SIGKILL at {kill_ms / 1000:.2f} s, restarted (listening) at {restart_ms / 1000:.2f} s; "
          f"ejection time {a.ejection_time}, health checks every {a.health_interval}, {a.retries} retry(ies)")
    print(f"ejection      {ejected[0]['at_ms'] - kill_ms:.0f} ms after the kill" if ejected else "ejection      none!")
    if final_return:
        print(f"return        at {back_ms / 1000:.2f} s: {back_ms - restart_ms:.0f} ms after the restart "
              f"({final_return['type']}; {len(ejected)} ejection(s) in all)")
    else:
        print("return        not back in service by the end of the run")
    if answered_again:
        print(f"answering     again in the second ending at {answered_again['t_ms'] / 1000:.1f} s")
    print(f"failed        {j['errors']} requests {j['errors_by_kind']} of {j['requests'] + j['errors']:,} "
          f"(failed attempts on the victim: {victim_stats['errors']}, retried elsewhere: {j['retried']}); slowest failure {j['failed_max_us'] / 1000:.1f} ms, "
          f"max latency {j['latency_us']['max'] / 1000:.1f} ms (timeout {j['timeout_ms']} ms)")
    print(f"throughput    before the kill {fmt(before)}   while out {fmt(during)}   after its return {fmt(after)}   "
          f"(whole run {j['throughput_rps']:,.0f} req/s)")
    print("events")
    for e in j["events"]:
        print(f"  {e['at_ms']:+7d} ms  {e['type']:16s} {e['endpoint']}  {e['detail']}")
    print("timeline")
    for t in timeline:
        print(f"  t={t['t_ms'] / 1000:6.2f} s  {t['rps']:>9,.0f} req/s  errors {t['errors']:4d}  "
              f"victim answered {t['answered'].get(victim_target, 0):7,d}")
    print(f"report        {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    main()
