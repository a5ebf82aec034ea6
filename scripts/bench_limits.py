#!/usr/bin/env python3
"""Traffic-management benchmarks (issue 14) on loopback: how exact the limits are, what they cost,
how classes of service share an overloaded cluster, and a fleet limit shared through Redis.

Parts (--only accuracy,overhead,qos,priority,fleet; default all):
  accuracy  `netkit serve` with one limit (requests/s or bytes/s; server-wide, per connection, per
            client IP), driven far above it by `netkit load` 16x16 closed loop; achieved rate over
            --seconds (after a warm-up that drains the burst) / configured rate.
  overhead  two servers side by side, one without limits and one with every limit set far above the
            load; `netkit load` 16x16 (64 B) against each in rotated order; paired ratio limited/plain.
  qos       a gateway with three listeners (classes gold, silver, bronze of one cluster, weights
            6:3:1) in front of a backend shaped to --capacity requests/s; three open-loop loads offer
            2x the capacity in total (a third each); shares of the answered requests (gateway /stats)
            over the window against 0.6 / 0.3 / 0.1.
  priority  the same gateway with a strict class `control` (light: --control-rate) and a class `bulk`
            offered 2x the capacity; control's p99 (from its intended send times) with the qos section
            and without it (one FIFO waiting line of the same total capacity).
  fleet     a real redis-server and two gateways whose route shares one fleet limit (--fleet-rate);
            each gateway offered 0.8x the limit (1.6x in total); combined admitted rate (gateway
            /stats, answered) over the window / the limit; Redis round trips per 1,000 requests (the
            gateways' fleet_round_trips and Redis's own INFO commandstats).
Markdown tables go to stdout, progress to stderr, raw JSON and logs to
bench-results/limits-YYYYmmdd-HHMMSS/. Loopback only; every process started is stopped (finally
blocks); every wait is bounded. Needs the CLI jar (./netkit builds it) and redis-server for fleet.
"""
import argparse, datetime, json, os, re, shutil, signal, socket, statistics, subprocess, sys, threading, time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_e2e import java          # the java binary and the launcher's flags
from bench_gateway import stop      # SIGTERM, then SIGKILL after a bounded wait

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAR = os.path.join(ROOT, "netkit-cli", "target", "netkit.jar")
RUNNING = []
OUT = None
# An overloaded target drops on purpose (queue_full, rate_limited): the load must keep sending to it,
# not eject it, open its breaker or retry (which would change the offered rate).
UNPROTECTED = ["--no-breaker", "--eject-after", "0", "--retries", "0"]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def popen(argv, **kw):
    p = subprocess.Popen(argv, **kw)
    RUNNING.append(p)
    return p


def stop_all():
    for p in reversed(RUNNING):
        try:
            stop(p, wait=10)
        except Exception as e:
            log(f"stopping {p.pid}: {e}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def med(xs):
    return statistics.median(xs)


def span(xs, fmt="{:.3f}"):
    return f"{fmt.format(min(xs))}–{fmt.format(max(xs))}"


class Serve:
    def __init__(self, jv, args, name):
        self.err = open(os.path.join(OUT, f"{name}-{time.time_ns()}.stderr"), "w")
        self.proc = popen(jv + ["-jar", JAR, "serve", "--port", "0"] + args, stdout=subprocess.PIPE, stderr=self.err, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"listening on .*:(\d+)", line)
        if not m:
            stop(self.proc)
            raise RuntimeError(f"serve {args} did not start: {line!r}")
        self.port = int(m.group(1))
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    @property
    def addr(self):
        return f"127.0.0.1:{self.port}"

    def stop(self):
        stop(self.proc)
        self.err.close()


class Gateway:
    def __init__(self, jv, yaml_text, name):
        self.config = os.path.join(OUT, f"{name}-{time.time_ns()}.yaml")
        with open(self.config, "w") as f:
            f.write(yaml_text)
        self.err = open(self.config[:-5] + ".stderr", "w")
        self.proc = popen(jv + ["-jar", JAR, "gateway", "--config", self.config], stdout=subprocess.PIPE, stderr=self.err, text=True)
        self.ports = {}
        expected = yaml_text.count("protocol: anet")
        while len(self.ports) < expected:
            line = self.proc.stdout.readline()
            if not line:
                stop(self.proc)
                raise RuntimeError(f"gateway {name} did not start; see {self.err.name}")
            m = re.search(r"listening (\S+) on .*:(\d+)", line)
            if m:
                self.ports[m.group(1)] = int(m.group(2))
        self.admin = re.search(r'admin: \{ bind: "127.0.0.1:(\d+)"', yaml_text).group(1)
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def addr(self, listener):
        return f"127.0.0.1:{self.ports[listener]}"

    def stats(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.admin}/stats", timeout=10) as r:
            return json.loads(r.read())

    def stop(self):
        stop(self.proc, wait=30)
        self.err.close()


def listener_stats(stats, name):
    """The anet listener `name` of a /stats document (a list or a map of listeners)."""
    ls = stats.get("listeners", stats)
    if isinstance(ls, dict):
        return ls[name]
    return next(l for l in ls if l.get("name") == name)


class Load:
    """`netkit load` in the background; .result() waits for its JSON report (bounded)."""

    def __init__(self, jv, target, seconds, warmup, args, name):
        self.seconds = seconds
        self.err = open(os.path.join(OUT, f"{name}-{time.time_ns()}.stderr"), "w")
        cmd = jv + ["-jar", JAR, "load", "--target", target, "--duration", f"{seconds}s", "--warmup", f"{warmup}s", "--json"] + args
        self.proc = popen(cmd, stdout=subprocess.PIPE, stderr=self.err, text=True)
        self.name = name

    def result(self):
        out, _ = self.proc.communicate(timeout=self.seconds + 120)
        self.err.close()
        lines = (out or "").strip().splitlines()
        # exit 1 = some requests failed: expected when the target drops on purpose; the JSON still comes
        if self.proc.returncode not in (0, 1) or not lines:
            raise RuntimeError(f"load {self.name} exit {self.proc.returncode}; see {self.err.name}")
        return json.loads(lines[-1])


def run_load(jv, target, seconds, warmup, args, name):
    return Load(jv, target, seconds, warmup, args, name).result()


# ---- accuracy -----------------------------------------------------------------------------------

ACCURACY_CASES = [
    # (label, serve args, load args, configured, unit, frame bytes per request (bytes limits))
    ("requests/s, server-wide", ["--rate-limit", "20000:2000"], ["--size", "64"], 20000, "req/s", None),
    ("requests/s, per connection (×16)", ["--per-connection-rate", "1000:100"], ["--size", "64"], 16000, "req/s", None),
    ("requests/s, per client IP", ["--per-client-rate", "12000:1200"], ["--size", "64"], 12000, "req/s", None),
    ("bytes/s, server-wide", ["--bandwidth", "20000000:2000000"], ["--size", "1000"], 20000000, "B/s", 1006),
    ("bytes/s, per connection (×16)", ["--per-connection-bandwidth", "1000000:100000"], ["--size", "1000"], 16000000, "B/s", 1006),
]


def part_accuracy(a, jv, raw):
    log("== accuracy")
    rows = []
    for label, sargs, largs, configured, unit, frame in ACCURACY_CASES:
        ratios = []
        for rep in range(a.reps):
            s = Serve(jv, sargs, "acc-serve")
            try:
                j = run_load(jv, s.addr, a.seconds, 3, ["--connections", "16", "--depth", "16"] + largs, "acc-load")
            finally:
                s.stop()
            achieved = j["throughput_rps"] * (frame or 1)
            ratios.append(achieved / configured)
            raw.append({"part": "accuracy", "case": label, "rep": rep, "achieved": achieved, "configured": configured, "load": j})
            log(f"  {label} rep {rep + 1}: {achieved:,.0f} {unit} = {achieved / configured:.4f} of {configured:,}")
        rows.append((label, sargs, configured, unit, ratios))
    print("\n| limit | serve option | configured | achieved ÷ configured, median (min–max) |")
    print("|---|---|---|---|")
    for label, sargs, configured, unit, ratios in rows:
        print(f"| {label} | `{' '.join(sargs)}` | {configured:,} {unit} | **{med(ratios):.4f}** ({span(ratios, '{:.4f}')}) |")


# ---- overhead -----------------------------------------------------------------------------------

FAR_ABOVE = ["--rate-limit", "100M", "--per-connection-rate", "100M", "--per-client-rate", "100M",
             "--bandwidth", "100G", "--per-connection-bandwidth", "100G", "--per-client-bandwidth", "100G"]


def part_overhead(a, jv, raw):
    log("== overhead")
    plain, limited = Serve(jv, [], "ovh-plain"), Serve(jv, FAR_ABOVE, "ovh-limited")
    res = {"plain": [], "limited": []}
    p99 = {"plain": [], "limited": []}
    try:
        targets = {"plain": plain, "limited": limited}
        for name, s in targets.items():  # unrecorded warm-up of each
            run_load(jv, s.addr, 3, 1, ["--connections", "16", "--depth", "16"], "ovh-warm")
        for rep in range(a.pair_reps):
            order = ["plain", "limited"] if rep % 2 == 0 else ["limited", "plain"]
            for name in order:
                j = run_load(jv, targets[name].addr, a.pair_seconds, 1, ["--connections", "16", "--depth", "16"], "ovh-load")
                res[name].append(j["throughput_rps"])
                p99[name].append(j["latency_us"]["p99"])
                raw.append({"part": "overhead", "variant": name, "rep": rep, "load": j})
                log(f"  rep {rep + 1} {name:8s} {j['throughput_rps']:>10,.0f} req/s p99 {j['latency_us']['p99']:.0f} us errors {j['errors']}")
    finally:
        plain.stop()
        limited.stop()
    ratios = [l / p for l, p in zip(res["limited"], res["plain"])]
    print("\n| server | req/s median (min–max) | p99 µs median | limited ÷ plain, paired median (min–max) |")
    print("|---|---|---|---|")
    print(f"| plain | {med(res['plain']):,.0f} ({span(res['plain'], '{:,.0f}')}) | {med(p99['plain']):.0f} | |")
    print(f"| every limit far above the load | {med(res['limited']):,.0f} ({span(res['limited'], '{:,.0f}')}) | "
          f"{med(p99['limited']):.0f} | **{med(ratios):.3f}** ({span(ratios)}) |")


# ---- qos ----------------------------------------------------------------------------------------

def qos_yaml(admin, backend, listeners, classes, strict=None, capacity=100, max_pending=300):
    """listeners: [(name, class or None)]; classes: [(name, weight)] or None for no qos section."""
    y = ["listeners:"]
    for name, cls in listeners:
        y += [f"  - name: {name}", "    bind: 127.0.0.1:0", "    protocol: anet", "    max_in_flight: 4096",
              "    routes:", "      - cluster: backend"]
        if cls and classes:
            y.append(f"        qos_class: {cls}")
    y += ["clusters:", "  - name: backend", f"    endpoints: [ \"{backend}\" ]", "    timeouts: { request: 30s }",
          f"    upstream: {{ connections: 1, max_in_flight: 32, max_pending: {max_pending} }}"]
    if classes:
        y += ["    qos:", "      classes:"]
        y += [f"        - {{ name: {n}, weight: {w}, capacity: {capacity} }}" for n, w in classes]
        if strict:
            y.append(f"      strict_class: {strict}")
    y.append(f"admin: {{ bind: \"127.0.0.1:{admin}\" }}")
    return "\n".join(y) + "\n"


def window(gateways, names, seconds):
    """Per gateway, its listeners' stats at the start and the end of a window of `seconds`, and the
    window's length for that gateway: each snapshot is stamped with the middle of its HTTP call, so
    rates are not biased by how long /stats takes to answer."""
    def snap(g, ns):
        t = time.monotonic()
        doc = g.stats()
        return (t + time.monotonic()) / 2, {n: listener_stats(doc, n) for n in ns}
    for g in gateways:
        g.stats()  # warm the admin endpoint (its first answer is slow in a fresh JVM)
    first = [snap(g, names[i]) for i, g in enumerate(gateways)]
    time.sleep(seconds)
    last = [snap(g, names[i]) for i, g in enumerate(gateways)]
    return [f[1] for f in first], [l[1] for l in last], [l[0] - f[0] for f, l in zip(first, last)]


def part_qos(a, jv, raw):
    log("== qos shares")
    weights = [("gold", 6), ("silver", 3), ("bronze", 1)]
    offered = 2 * a.capacity // 3
    shares = {n: [] for n, _ in weights}
    for rep in range(a.reps):
        backend = Serve(jv, ["--rate-limit", f"{a.capacity}:100"], "qos-backend")
        gw = Gateway(jv, qos_yaml(free_port(), backend.addr, [(n, n) for n, _ in weights], weights), "qos-gateway")
        loads = []
        try:
            for n, _ in weights:
                loads.append(Load(jv, gw.addr(n), a.seconds + 8, 1, ["--rate", str(offered), "--connections", "32", "--depth", "64",
                                                                    "--timeout", "2s", "--size", "64"] + UNPROTECTED, f"qos-load-{n}"))
            time.sleep(6)  # JVM start, warm-up, queues full
            s0, s1, dts = window([gw], [[n for n, _ in weights]], a.seconds)
            dt = dts[0]
            answered = {n: s1[0][n]["answered"] - s0[0][n]["answered"] for n, _ in weights}
            received = {n: s1[0][n]["requests"] - s0[0][n]["requests"] for n, _ in weights}
            total = sum(answered.values())
            for n, _ in weights:
                shares[n].append(answered[n] / total)
            raw.append({"part": "qos", "rep": rep, "answered": answered, "received": received, "seconds": dt,
                        "stats": s1[0]})
            log(f"  rep {rep + 1}: served {total / dt:,.0f}/s (capacity {a.capacity:,}); " + ", ".join(
                f"{n} {answered[n] / total:.3f} (received {received[n] / dt:,.0f}/s)" for n, _ in weights))
            for l in loads:
                l.result()
        finally:
            for l in loads:
                stop(l.proc)
            gw.stop()
            backend.stop()
    print(f"\n| class | weight | expected share | share of answered, median (min–max) | share ÷ expected (median) |")
    print("|---|---|---|---|---|")
    wsum = sum(w for _, w in weights)
    for n, w in weights:
        e = w / wsum
        print(f"| {n} | {w} | {e:.3f} | **{med(shares[n]):.4f}** ({span(shares[n], '{:.4f}')}) | {med(shares[n]) / e:.3f} |")


def part_priority(a, jv, raw):
    log("== qos priority")
    res = {"qos": [], "fifo": []}
    errs = {"qos": [], "fifo": []}
    for rep in range(a.reps):
        for variant in (["qos", "fifo"] if rep % 2 == 0 else ["fifo", "qos"]):
            backend = Serve(jv, ["--rate-limit", f"{a.capacity}:100"], "prio-backend")
            classes = [("control", 1), ("bulk", 1)] if variant == "qos" else None
            gw = Gateway(jv, qos_yaml(free_port(), backend.addr, [("control", "control"), ("bulk", "bulk")], classes,
                                      strict="control", capacity=100, max_pending=200), f"prio-gateway-{variant}")
            bulk = None
            try:
                bulk = Load(jv, gw.addr("bulk"), a.seconds + 10, 1, ["--rate", str(2 * a.capacity), "--connections", "32",
                                                                    "--depth", "64", "--timeout", "2s"] + UNPROTECTED, "prio-bulk")
                time.sleep(4)
                j = run_load(jv, gw.addr("control"), a.seconds, 2, ["--rate", str(a.control_rate), "--connections", "4",
                                                                  "--depth", "16", "--timeout", "2s"] + UNPROTECTED, "prio-control")
                res[variant].append(j["latency_us"]["p99"])
                errs[variant].append(j["errors"])
                raw.append({"part": "priority", "variant": variant, "rep": rep, "control": j})
                log(f"  rep {rep + 1} {variant}: control p99 {j['latency_us']['p99']:,.0f} us p50 {j['latency_us']['p50']:,.0f} us "
                    f"answered {j['throughput_rps']:,.0f}/s errors {j['errors']}")
                bulk.result()
            finally:
                if bulk:
                    stop(bulk.proc)
                gw.stop()
                backend.stop()
    print("\n| waiting line | control p99 µs, median (min–max) | control errors (per run) |")
    print("|---|---|---|")
    for v, label in (("qos", "qos: control strict, bulk"), ("fifo", "no qos (one FIFO line, same capacity)")):
        print(f"| {label} | **{med(res[v]):,.0f}** ({span(res[v], '{:,.0f}')}) | {', '.join(str(e) for e in errs[v])} |")
    print(f"\nfifo p99 ÷ qos p99 (medians): {med(res['fifo']) / med(res['qos']):.1f}×")


# ---- fleet --------------------------------------------------------------------------------------

def redis_cmd(port, *args):
    return subprocess.run(["redis-cli", "-p", str(port)] + list(args), capture_output=True, text=True, timeout=10).stdout


def redis_calls(port):
    """Script calls Redis has run (eval + evalsha), from INFO commandstats."""
    total = 0
    for line in redis_cmd(port, "info", "commandstats").splitlines():
        m = re.match(r"cmdstat_(eval|evalsha|evalsha_ro|eval_ro):calls=(\d+)", line)
        if m:
            total += int(m.group(2))
    return total


def fleet_yaml(admin, backend, redis_port, rate, batch):
    return "\n".join([
        "listeners:", "  - name: front", "    bind: 127.0.0.1:0", "    protocol: anet", "    max_in_flight: 4096",
        "    routes:", "      - cluster: backend",
        f"        rate_limit: {{ per_second: {rate}, burst: {rate // 10}, fleet: {{ redis: \"127.0.0.1:{redis_port}\", "
        f"key: \"bench:fleet\", members: 2, timeout: 50ms, batch: {batch} }} }}",
        "clusters:", "  - name: backend", f"    endpoints: [ \"{backend}\" ]",
        f"admin: {{ bind: \"127.0.0.1:{admin}\" }}"]) + "\n"


def part_fleet(a, jv, raw):
    log("== fleet")
    if shutil.which("redis-server") is None:
        sys.exit("redis-server is needed for the fleet part: scripts/ensure-packages.sh installs it")
    rows = []
    for batch in a.fleet_batches:
        ratios, per_k, per_k_redis, per_k_admitted, fallback = [], [], [], [], []
        for rep in range(a.reps):
            rport = free_port()
            redis = popen(["redis-server", "--port", str(rport), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(100):
                if "PONG" in redis_cmd(rport, "ping"):
                    break
                time.sleep(0.05)
            backend = Serve(jv, [], "fleet-backend")
            gws, loads = [], []
            try:
                for i in range(2):
                    gws.append(Gateway(jv, fleet_yaml(free_port(), backend.addr, rport, a.fleet_rate, batch), f"fleet-gw{i}"))
                for i, g in enumerate(gws):
                    loads.append(Load(jv, g.addr("front"), a.seconds + 8, 1, ["--rate", str(int(a.fleet_rate * 0.8)),
                                                                           "--connections", "16", "--depth", "64", "--timeout", "1s"] + UNPROTECTED,
                                      f"fleet-load{i}"))
                time.sleep(6)
                c0 = redis_calls(rport)
                s0, s1, dts = window(gws, [["front"], ["front"]], a.seconds)
                c1 = redis_calls(rport)
                # rates per gateway over its own window, summed; counts over the (equal, +-ms) windows
                rate = sum((s1[i]["front"]["answered"] - s0[i]["front"]["answered"]) / dts[i] for i in range(2))
                dt = sum(dts) / 2
                answered = rate * dt
                received = sum(s1[i]["front"]["requests"] - s0[i]["front"]["requests"] for i in range(2))

                def route(s):
                    return next(iter(s["front"]["route_limits"].values()))
                trips = sum(route(s1[i]).get("fleet_round_trips", 0) - route(s0[i]).get("fleet_round_trips", 0) for i in range(2))
                fb = sum(route(s1[i]).get("fleet_fallback_admitted", 0) - route(s0[i]).get("fleet_fallback_admitted", 0)
                         for i in range(2))
                ratios.append(answered / dt / a.fleet_rate)
                per_k.append(trips / received * 1000)
                per_k_redis.append((c1 - c0) / received * 1000)
                per_k_admitted.append(trips / answered * 1000)
                fallback.append(fb)
                raw.append({"part": "fleet", "batch": batch, "rep": rep, "answered": answered, "received": received, "seconds": dt,
                            "round_trips": trips, "redis_calls": c1 - c0, "fallback_admitted": fb,
                            "gateways": [s1[0]["front"], s1[1]["front"]]})
                log(f"  batch {batch} rep {rep + 1}: admitted {answered / dt:,.0f}/s of {a.fleet_rate:,} ({answered / dt / a.fleet_rate:.4f}); "
                    f"offered {received / dt:,.0f}/s; round trips {trips} (redis counted {c1 - c0}) = {trips / received * 1000:.1f} "
                    f"per 1,000 requests; fallback admitted {fb}")
                for l in loads:
                    l.result()
            finally:
                for l in loads:
                    stop(l.proc)
                for g in gws:
                    g.stop()
                backend.stop()
                stop(redis)
        rows.append((batch, ratios, per_k, per_k_redis, per_k_admitted, fallback))
    print(f"\n| batch | combined admitted ÷ limit ({a.fleet_rate:,}/s), median (min–max) | round trips per 1,000 requests "
          f"(gateways / Redis INFO) | per 1,000 admitted | admitted by the fail-open fallback |")
    print("|---|---|---|---|---|")
    for batch, ratios, per_k, per_k_redis, per_k_admitted, fallback in rows:
        label = f"{batch}" if batch else f"0 (automatic: {max(1, a.fleet_rate // 100)})"
        print(f"| {label} | **{med(ratios):.4f}** ({span(ratios, '{:.4f}')}) | {med(per_k):.1f} / {med(per_k_redis):.1f} | {med(per_k_admitted):.1f} | "
              f"{', '.join(str(f) for f in fallback)} |")


def main():
    global OUT, JAR
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="accuracy,overhead,qos,priority,fleet")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--pair-reps", type=int, default=8)
    ap.add_argument("--pair-seconds", type=int, default=5)
    ap.add_argument("--capacity", type=int, default=2000, help="the backend's shaped rate in the qos parts")
    ap.add_argument("--control-rate", type=int, default=100)
    ap.add_argument("--fleet-rate", type=int, default=5000)
    ap.add_argument("--fleet-batches", default="0,10")
    a = ap.parse_args()
    a.fleet_batches = [int(x) for x in a.fleet_batches.split(",")]
    if not os.path.exists(JAR):
        sys.exit(f"{JAR} is missing: run ./netkit --version (it builds the jar) first")
    OUT = os.path.join(ROOT, "bench-results", "limits-" + datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    os.makedirs(OUT, exist_ok=True)
    # a copy: a rebuild of the CLI during the run (./netkit rebuilds when sources change) must not change it
    shutil.copy(JAR, os.path.join(OUT, "netkit.jar"))
    JAR = os.path.join(OUT, "netkit.jar")
    jv = java()
    raw = []
    log(f"bench_limits: {a.only}; raw results in {OUT}")
    try:
        for part in a.only.split(","):
            {"accuracy": part_accuracy, "overhead": part_overhead, "qos": part_qos, "priority": part_priority,
             "fleet": part_fleet}[part](a, jv, raw)
            sys.stdout.flush()
    finally:
        stop_all()
        with open(os.path.join(OUT, "raw.json"), "w") as f:
            json.dump(raw, f)


if __name__ == "__main__":
    main()
