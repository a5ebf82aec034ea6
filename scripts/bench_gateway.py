#!/usr/bin/env python3
"""Benchmarks of the request-level gateway (`netkit gateway`, one `protocol: anet` listener) on
loopback, for issue 11. Everything is started and stopped here: three `netkit serve` backends, the
gateway (`netkit gateway --config FILE`, a YAML file written by this script: one anet listener,
one cluster round-robin over the three backends, health checks on at the default interval,
everything else default) and `netkit load`.

Parts (--parts, default all, in this order):
  load      gateway / direct with `netkit load`, 64-byte payloads, at 16x16, 64x16 and 16x1:
            "gateway" = `load --target GATEWAY --connections C --depth D`; "direct" = the same
            command with --target listing the three backends (C connections *per target*, so 3x
            the connections and requests in flight); "direct-eq" = direct with round(C/3)
            connections per target (about the same total as through the gateway). Variants
            alternate in a rotated order in every repetition, against fresh backends + gateway
            warmed by an unrecorded run. Reports median req/s, paired ratios, p50/p99 from the
            load's JSON, and CPU per request of the gateway, the backends and the load
            (/proc/PID/stat utime+stime between the load's first and last progress lines,
            divided by the requests the load's timeline counts between them), the machine's
            steal and the CPU used by processes not started here ("untracked").
  upstream  upstream connections the gateway holds for 256 client connections (depth 1 and 4):
            `ss -tnp` in the measured window (ESTABLISHED sockets of the gateway's PID whose peer
            is a backend), and each backend's "served R requests on C connections" at the end
            (C also counts the health checks' TCP connects: one per endpoint every ~2 s).
  memory    10,000 client connections to the gateway (listener max_connections 20000), each
            sends one 64-byte request and reads its answer (so it has been proxied), then idle:
            the gateway JVM's RSS and heap used after a full GC (`jcmd PID GC.run`,
            `GC.heap_info`) before, with them open, and after they closed; bytes per connection, and
            the live heap's growth by class (`jcmd PID GC.class_histogram`).
  failover  load 16x16 through the gateway for --failover-seconds (once per --failover-lb: the cluster's
            lb, round-robin then least-outstanding); SIGKILL one backend at 1/3,
            restart it on the same port at 2/3; the gateway logs at info (balancer events:
            ejected / unhealthy / healthy / back in service, with their times); reports time to
            eject and to return, failed requests and the throughput timeline. The load client has
            passive ejection off (--eject-after 0: its only target is the gateway) and a 2 s
            timeout (the gateway's on_failure is drop: a lost request is a client timeout). Then the
            same scenario without the gateway as a reference (load over the three backends, 5 x 16
            per target, --health-interval 2s).
  reload    load 16x16 through the gateway for --reload-seconds while the config file is swapped
            between two versions and SIGHUP sent every 200 ms: "routes+endpoints" (all traffic
            moves between two clusters, and one backend is removed from / added to one of
            them); "replace" (the same plus the second cluster's lb changes, so it is replaced
            by a new broker each time). Reports failed requests by kind, mismatches, the load's
            connections opened (16 = none dropped), reloads applied / rejected.
  jfr       one 16x16 gateway run with a JFR recording of the gateway
            (-XX:StartFlightRecording settings=profile, -XX:+DebugNonSafepoints): samples per
            thread, top frames, inclusive frames, `jfr view hot-methods` and allocation; with JDK 25's
            CPU-time sampler (jdk.CPUTimeSample) on, so time in system calls counts.
  syscalls  system calls per request (perf stat on the raw_syscalls / syscalls tracepoints, 3 s of a
            5-s run) of the gateway, the backends and the load, through the gateway and direct-eq,
            at 16x16 and 16x1 (skipped without perf and tracefs).

Usage (build the CLI first: ./netkit --help):
  scripts/bench_gateway.py [--reps 5] [--seconds 4] [--warmup 1] [--parts load,upstream,...]
                           [--configs 16x16,64x16,16x1] [--failover-seconds 21] [--reload-seconds 10]
                           [--nice]      # smoke tests: every process at nice 19
  scripts/bench_gateway.py --render bench-results/gateway-.../results.json   # the load tables again
The load tables are printed twice: over the clean repetitions only (every variant of the
repetition had < 0.15 cores used by other processes and < 10 % steal, as in baselines.md §2),
and over every repetition.
Markdown tables go to stdout, progress to stderr; raw results and logs to
bench-results/gateway-YYYYmmdd-HHMMSS/. Loopback only; every process started is stopped (in
finally blocks), every wait is bounded.
"""
import argparse, datetime, json, os, re, resource, shutil, signal, socket, statistics, struct, subprocess, sys
import threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAR = os.path.join(ROOT, "netkit-cli", "target", "netkit.jar")
PROGRESS = re.compile(r"^\[\s*(\d+\.\d)s\]")
LOG_LINE = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) \[([^\]]*)\] (\w+) (\S+) - (.*)$")
TCK = os.sysconf("SC_CLK_TCK")
NICE = []           # ["nice", "-n", "19"] with --nice
RUNNING = []        # every Popen started, stopped at exit whatever happens
OUT = None          # this run's folder


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def java():
    """The java binary, JAVA_HOME and the flags the ./netkit launcher uses (scripts/find-jdk.sh)."""
    out = subprocess.run(["bash", "-c", f". {ROOT}/scripts/find-jdk.sh && netkit_find_jdk && echo $JAVA_HOME && echo $NETKIT_JVM_FLAGS"],
                         capture_output=True, text=True, check=True).stdout.strip().splitlines()
    return out[0], [os.path.join(out[0], "bin", "java")] + out[1].split()


def popen(argv, **kw):
    p = subprocess.Popen(NICE + argv, **kw)
    RUNNING.append(p)
    return p


def stop(p, sig=signal.SIGTERM, wait=15):
    """Stops one process we started (by its Popen, i.e. its PID); SIGKILL if it does not exit."""
    if p.poll() is None:
        p.send_signal(sig)
        try:
            p.wait(wait)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(10)


def stop_all():
    for p in reversed(RUNNING):
        try:
            stop(p, wait=10)
        except Exception as e:  # keep stopping the others
            log(f"stopping {p.pid}: {e}")


# ---- /proc --------------------------------------------------------------------------------------

def cpu_seconds(pid):
    """utime + stime of the whole process (all threads), seconds; None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return (int(rest[11]) + int(rest[12])) / TCK
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def ctx_switches(pid):
    """Context switches (voluntary + involuntary) summed over the process's threads."""
    n = 0
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{t}/status") as f:
                    for line in f:
                        if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                            n += int(line.split()[1])
            except (FileNotFoundError, ProcessLookupError):
                pass
    except (FileNotFoundError, ProcessLookupError):
        pass
    return n


def tcp_out_segs():
    """The machine's TCP segments sent (/proc/net/snmp OutSegs): one per send on loopback with nodelay."""
    with open("/proc/net/snmp") as f:
        rows = [line.split() for line in f if line.startswith("Tcp:")]
    return int(rows[1][rows[0].index("OutSegs")])


def machine():
    """(busy, steal, total) jiffies from /proc/stat (busy: user+nice+system+irq+softirq)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = v[:8]
    return user + nice + system + irq + softirq, steal, sum(v[:8])


def all_cpu():
    """{pid: cpu seconds} of every process on the machine (to estimate untracked CPU)."""
    res = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            c = cpu_seconds(d)
            if c is not None:
                res[int(d)] = c
    return res


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def sockstat():
    with open("/proc/net/sockstat") as f:
        for line in f:
            if line.startswith("TCP:"):
                return line.strip()
    return ""


# ---- processes ----------------------------------------------------------------------------------

class Serve:
    """`netkit serve` (echo) on loopback; port 0 = a free port (from its first stdout line)."""

    def __init__(self, jv, port=0, name="backend"):
        self.name = name
        self.errlog = open(os.path.join(OUT, f"{name}-{port or 'new'}-{time.time_ns()}.stderr"), "w")
        self.proc = popen(jv + ["-jar", JAR, "serve", "--port", str(port)], stdout=subprocess.PIPE, stderr=self.errlog, text=True)
        line = self.proc.stdout.readline()  # the JVM prints it or exits (EOF): bounded
        m = re.search(r"listening on .*:(\d+)", line)
        if not m:
            stop(self.proc)
            raise RuntimeError(f"netkit serve --port {port} did not start: {line!r}")
        self.port = int(m.group(1))
        self.ready = time.time()
        self.served = None

    @property
    def addr(self):
        return f"127.0.0.1:{self.port}"

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()  # SIGKILL, as in a crash
            self.proc.wait(10)

    def stop(self):
        """SIGTERM; returns (requests, connections) from its last line, or None."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                out, _ = self.proc.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                out, _ = self.proc.communicate(timeout=10)
            m = re.search(r"served ([\d,]+) requests on ([\d,]+) connections", out or "")
            if m:
                self.served = (int(m.group(1).replace(",", "")), int(m.group(2).replace(",", "")))
        self.errlog.close()
        return self.served


def gateway_yaml(clusters, routes, max_connections=None, lb=None):
    """clusters: [(name, [addr...], lb)], routes: [(match_text_at_8 or None, cluster)]. Everything else default."""
    y = ["listeners:", "  - name: front", "    bind: 127.0.0.1:0", "    protocol: anet"]
    if max_connections:
        y.append(f"    max_connections: {max_connections}")
    y.append("    routes:")
    for match, cluster in routes:
        if match is None:
            y.append(f"      - cluster: {cluster}")
        else:
            y.append(f"      - match: {{ offset: 8, text: \"{match}\" }}")
            y.append(f"        cluster: {cluster}")
    y.append("clusters:")
    for name, endpoints, clb in clusters:
        y.append(f"  - name: {name}")
        y.append("    endpoints: [ " + ", ".join(f'"{e}"' for e in endpoints) + " ]")
        y.append(f"    lb: {clb or lb or 'round-robin'}")
    y.append("admin: { bind: \"127.0.0.1:0\" }")  # not served by this version; kept off the default port
    return "\n".join(y) + "\n"


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


class Gateway:
    """`netkit gateway --config FILE`; stderr lines are kept with their arrival time (and logged)."""

    def __init__(self, jv, yaml_text, name="gateway", jvm_extra=(), info_log=False):
        self.config = os.path.join(OUT, f"{name}-{time.time_ns()}.yaml")
        write_atomic(self.config, yaml_text)
        self.lines = []  # (arrival epoch s, line)
        self.errlog = open(self.config[:-5] + ".stderr", "w")
        extra = list(jvm_extra) + (["-Dorg.slf4j.simpleLogger.defaultLogLevel=info"] if info_log else [])
        self.proc = popen(jv[:1] + jv[1:] + extra + ["-jar", JAR, "gateway", "--config", self.config],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        threading.Thread(target=self._read_err, daemon=True).start()
        for _ in range(20):  # the first listener line; a JVM option may print before it (JFR's startup line)
            line = self.proc.stdout.readline()
            m = re.search(r"listening front on .*:(\d+)", line)
            if m or not line:
                break
        if not m:
            stop(self.proc)
            time.sleep(0.2)
            raise RuntimeError(f"netkit gateway did not start: {line!r}; stderr: {[l for _, l in self.lines][-5:]}")
        self.port = int(m.group(1))
        self.pid = self.proc.pid
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()  # drain

    def _read_err(self):
        for line in self.proc.stderr:
            self.lines.append((time.time(), line.rstrip("\n")))
            self.errlog.write(line)
            self.errlog.flush()

    @property
    def addr(self):
        return f"127.0.0.1:{self.port}"

    def stop(self):
        """SIGTERM (drain); returns the exit code."""
        stop(self.proc, wait=30)
        time.sleep(0.2)
        return self.proc.returncode


def jcmd(java_home, pid, *args, timeout=60):
    return subprocess.run([os.path.join(java_home, "bin", "jcmd"), str(pid)] + list(args), capture_output=True, text=True,
                          timeout=timeout).stdout


def class_histogram(java_home, pid):
    """{class: (instances, bytes)} after a full GC (GC.class_histogram collects first)."""
    res = {}
    for line in jcmd(java_home, pid, "GC.class_histogram", timeout=120).splitlines():
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            res[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return res


def heap_used_kib(java_home, pid, gc=True):
    if gc:
        jcmd(java_home, pid, "GC.run")
        time.sleep(0.5)
    out = jcmd(java_home, pid, "GC.heap_info")
    m = re.search(r"used (\d+)K", out)
    return int(m.group(1)) if m else None, out.strip()


# ---- netkit load --------------------------------------------------------------------------------

def run_load(jv, targets, conns, depth, seconds, warmup, extra=(), track=None, on_tick=None, tag="load"):
    """Runs `netkit load`; at each progress line snapshots the CPU of `track` ({name: [pids]}), the
    load itself, the machine and every process. Returns (report JSON, ticks)."""
    cmd = jv + ["-jar", JAR, "load", "--target", ",".join(targets), "--connections", str(conns), "--depth", str(depth),
                "--size", "64", "--duration", f"{seconds}s", "--warmup", f"{warmup}s", "--json"] + list(extra)
    p = popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    track = dict(track or {})
    track["load"] = [p.pid]
    ticks, tail = [], []

    def snap():
        return {"t": time.time(), "cpu": {n: sum(cpu_seconds(x) or 0 for x in pids) for n, pids in track.items()},
                "ctx": {n: sum(ctx_switches(x) for x in pids) for n, pids in track.items()}, "segs": tcp_out_segs(),
                "machine": machine(), "all": all_cpu()}

    def read_err():
        for line in p.stderr:
            if PROGRESS.match(line):
                ticks.append(snap())
                if on_tick:
                    on_tick(len(ticks), ticks[-1]["t"])
            else:
                tail.append(line.rstrip())
                del tail[:-40]

    reader = threading.Thread(target=read_err, daemon=True)
    reader.start()
    killer = threading.Timer(seconds + warmup + 90, p.kill)  # bounded whatever happens
    killer.start()
    try:
        out = p.stdout.read()
        p.wait(30)
        reader.join(10)
    finally:
        killer.cancel()
        stop(p)
    lines = out.strip().splitlines()
    try:
        j = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        raise RuntimeError(f"{tag}: no JSON report (exit {p.returncode}); stderr tail:\n" + "\n".join(tail[-15:]))
    j["_exit"] = p.returncode
    with open(os.path.join(OUT, "loads.jsonl"), "a") as f:
        f.write(json.dumps({"tag": tag, "cmd": cmd, "report": j}) + "\n")
    return j, ticks


def window(j, ticks, own_pids):
    """CPU between the first and the last progress line: per tracked name, µs per request and cores;
    the machine's steal and untracked cores."""
    if len(ticks) < 2:
        return None
    a, b = ticks[0], ticks[-1]
    k = len(ticks)
    entries = j["timeline"][1:k]
    reqs = sum(e["requests"] for e in entries)
    dt = b["t"] - a["t"]
    res = {"requests": reqs, "seconds": dt, "rps": reqs / dt if dt else 0}
    for n in a["cpu"]:
        d = b["cpu"][n] - a["cpu"][n]
        res[f"{n}_cores"] = d / dt
        res[f"{n}_us_per_req"] = d / reqs * 1e6 if reqs else None
        res[f"{n}_ctx_per_req"] = (b["ctx"][n] - a["ctx"][n]) / reqs if reqs else None
    res["segs_per_req"] = (b["segs"] - a["segs"]) / reqs if reqs else None
    busy = (b["machine"][0] - a["machine"][0]) / TCK
    steal = b["machine"][1] - a["machine"][1]
    total = b["machine"][2] - a["machine"][2]
    res["steal_pct"] = 100.0 * steal / total if total else 0
    res["machine_busy_cores"] = busy / dt
    others = 0.0
    for pid, c in b["all"].items():
        if pid in own_pids:
            continue
        others += c - a["all"].get(pid, c)
    res["untracked_cores"] = others / dt
    return res


def own_pids():
    pids = {os.getpid()}
    for p in RUNNING:
        pids.add(p.pid)
    return pids


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def rng(xs):
    xs = [x for x in xs if x is not None]
    return (min(xs), max(xs)) if xs else (None, None)


def fnum(x, d=0):
    return "n/a" if x is None else f"{x:,.{d}f}"


# ---- part 1 + 3: throughput, latency, CPU per request ---------------------------------------------

def part_load(a, jv, results):
    configs = [tuple(int(x) for x in c.split("x")) for c in a.configs.split(",")]
    variants = ["gateway", "direct", "direct-eq"]
    runs = []
    for rep in range(a.reps):
        backends = [Serve(jv) for _ in range(3)]
        gw = None
        try:
            gw = Gateway(jv, gateway_yaml([("all", [b.addr for b in backends], None)], [(None, "all")]))
            run_load(jv, [gw.addr], 16, 16, 3, 1, tag="warm-up (unrecorded)")  # JIT of the gateway and backends
            run_load(jv, [b.addr for b in backends], 16, 16, 2, 1, tag="warm-up (unrecorded)")
            track = {"gateway": [gw.pid], "backends": [b.proc.pid for b in backends]}
            for c, d in configs:
                order = variants[rep % 3:] + variants[:rep % 3]
                for v in order:
                    if v == "gateway":
                        targets, conns = [gw.addr], c
                    else:
                        targets, conns = [b.addr for b in backends], (c if v == "direct" else max(1, round(c / 3)))
                    j, ticks = run_load(jv, targets, conns, d, a.seconds, a.warmup, track=track, tag=f"{v} {c}x{d}")
                    w = window(j, ticks, own_pids())
                    r = {"rep": rep, "config": f"{c}x{d}", "variant": v, "conns_per_target": conns, "rps": j["throughput_rps"],
                         "p50": j["latency_us"]["p50"], "p99": j["latency_us"]["p99"], "errors": j["errors"],
                         "errors_by_kind": j["errors_by_kind"], "mismatched": j["mismatched"], "opened": j.get("connections_opened"), "win": w}
                    runs.append(r)
                    log(f"rep {rep + 1} {c}x{d} {v:9s} {r['rps']:>11,.0f} req/s p50 {r['p50']:.0f} p99 {r['p99']:.0f} us "
                        f"err {r['errors']} mism {r['mismatched']}"
                        + (f" | gw {fnum(w['gateway_us_per_req'], 2)} us/req ({w['gateway_cores']:.2f} cores) "
                           f"backends {fnum(w['backends_us_per_req'], 2)} load {fnum(w['load_us_per_req'], 2)} "
                           f"untracked {w['untracked_cores']:.2f} steal {w['steal_pct']:.1f}%" if w else ""))
            gw_rc = gw.stop()
            if gw_rc != 0:
                log(f"!! gateway exited {gw_rc}")
        finally:
            if gw:
                gw.stop()
            for b in backends:
                b.stop()
    results["load"] = runs
    print_load(runs, f"{a.seconds} s measured after {a.warmup} s warm-up")


UNTRACKED_MAX = 0.15  # cores used by processes not started here; above it a run is not clean (baselines.md §2)
STEAL_MAX = 10.0      # hypervisor steal, %


def clean(r):
    w = r["win"]
    return w is not None and w["untracked_cores"] < UNTRACKED_MAX and w["steal_pct"] < STEAL_MAX


def print_load(all_runs, how):
    variants = ["gateway", "direct", "direct-eq"]
    configs = list(dict.fromkeys(r["config"] for r in all_runs))
    # a repetition of a configuration counts only when all its variants ran clean, so ratios stay paired
    kept = []
    for cfg in configs:
        for rep in sorted({r["rep"] for r in all_runs if r["config"] == cfg}):
            rs = [r for r in all_runs if r["config"] == cfg and r["rep"] == rep]
            if len(rs) == len(variants) and all(clean(r) for r in rs):
                kept.extend(rs)
    for title, runs in (("clean repetitions only", kept), ("every repetition", all_runs)):
        print(f"\n### Gateway ÷ direct (`netkit load`, 64-byte payloads): {title}\n")
        n_reps = {cfg: len({r["rep"] for r in runs if r["config"] == cfg}) for cfg in configs}
        print(f"{how}; variants in rotated order; repetitions per configuration: "
              + ", ".join(f"{cfg.replace('x', '×')} {n}" for cfg, n in n_reps.items())
              + f" (clean: every variant of the repetition had < {UNTRACKED_MAX} cores used by other processes and < {STEAL_MAX:.0f} % steal).\n")
        print_load_tables(runs, configs, variants)


def print_load_tables(runs, configs, variants):
    print("| c × d | variant | connections (client side) | req/s median (min–max) | ÷ direct, paired median (min–max) | "
          "÷ direct-eq, paired | p50 µs | p99 µs | errors |")
    print("|---|---|---|---|---|---|---|---|---|")
    for cfg in configs:
        c, d = (int(x) for x in cfg.split("x"))
        by = {v: sorted([r for r in runs if r["config"] == cfg and r["variant"] == v], key=lambda r: r["rep"]) for v in variants}
        for v in variants:
            rs = by[v]
            if not rs:
                continue
            rps = [r["rps"] for r in rs]
            lo, hi = rng(rps)
            ratios = {}
            for base in ("direct", "direct-eq"):
                if v != "gateway":
                    ratios[base] = ""
                    continue
                pr = [g["rps"] / x["rps"] for g, x in zip(rs, by[base])]
                ratios[base] = f"**{med(pr):.2f}** ({min(pr):.2f}–{max(pr):.2f})"
            n = rs[0]["conns_per_target"] * (1 if v == "gateway" else 3)
            print(f"| {c}×{d} | {v} | {n} | {fnum(med(rps))} ({fnum(lo)}–{fnum(hi)}) | {ratios['direct']} | {ratios['direct-eq']} | "
                  f"{fnum(med(r['p50'] for r in rs))} | {fnum(med(r['p99'] for r in rs))} | {sum(r['errors'] for r in rs)} |")
    print("\n### CPU per request (µs of utime+stime between the load's first and last progress lines ÷ requests)\n")
    print("| c × d | variant | gateway µs/req | gateway cores | gateway context switches per req | backends µs/req (3 JVMs) | "
          "load µs/req | total µs/req | TCP segments sent per req (machine) | machine busy cores | untracked cores (max) | steal % (max) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for cfg in configs:
        c, d = (int(x) for x in cfg.split("x"))
        for v in variants:
            ws = [r["win"] for r in runs if r["config"] == cfg and r["variant"] == v and r["win"]]
            if not ws:
                continue
            gwu = med(w["gateway_us_per_req"] for w in ws) if v == "gateway" else None
            gwc = med(w["gateway_cores"] for w in ws) if v == "gateway" else None
            tot = med((w["gateway_us_per_req"] if v == "gateway" else 0) + w["backends_us_per_req"] + w["load_us_per_req"] for w in ws)
            gsys = f"{med(w['gateway_ctx_per_req'] for w in ws):.3f}" if v == "gateway" else "–"
            print(f"| {c}×{d} | {v} | {fnum(gwu, 2) if gwu is not None else '–'} | {fnum(gwc, 2) if gwc is not None else '–'} | {gsys} | "
                  f"{fnum(med(w['backends_us_per_req'] for w in ws), 2)} | "
                  f"{fnum(med(w['load_us_per_req'] for w in ws), 2)} | "
                  f"{fnum(tot, 2)} | {fnum(med(w['segs_per_req'] for w in ws), 3)} | {fnum(med(w['machine_busy_cores'] for w in ws), 2)} | "
                  f"{fnum(max(w['untracked_cores'] for w in ws), 2)} | {fnum(max(w['steal_pct'] for w in ws), 1)} |")
    gwr = [r for r in runs if r["variant"] == "gateway"]
    print(f"\nGateway runs: errors {sum(r['errors'] for r in gwr)}, mismatched {sum(r['mismatched'] for r in gwr)}; "
          f"client connections opened {sorted({r['opened'] for r in gwr}, key=str)}.")


# ---- part 2: upstream connections ---------------------------------------------------------------

SS_LINE = re.compile(r"^\S*\s*\d+\s+\d+\s+(\S+):(\d+)\s+(\S+):(\d+)\s+users:\(\((.*)\)\)")


def ss_count(gw_pid, gw_port, backend_ports):
    out = subprocess.run(["ss", "-tnpH", "state", "established"], capture_output=True, text=True, timeout=30).stdout
    upstream = {p: 0 for p in backend_ports}
    clients = 0
    for line in out.splitlines():
        m = SS_LINE.match(line.strip())
        if not m or f"pid={gw_pid}," not in m.group(5):
            continue
        lport, pport = int(m.group(2)), int(m.group(4))
        if pport in upstream:
            upstream[pport] += 1
        elif lport == gw_port:
            clients += 1
    return clients, upstream


def part_upstream(a, jv, results):
    res = []
    for depth in (1, 4):
        backends = [Serve(jv) for _ in range(3)]
        gw = None
        samples = []
        try:
            gw = Gateway(jv, gateway_yaml([("all", [b.addr for b in backends], None)], [(None, "all")]))
            ports = [b.port for b in backends]

            def on_tick(n, _t):
                if n in (1, 2, 3):
                    samples.append(ss_count(gw.pid, gw.port, ports))

            j, _ = run_load(jv, [gw.addr], 256, depth, a.seconds, a.warmup, on_tick=on_tick, tag=f"upstream 256x{depth}")
            rc = gw.stop()
        finally:
            if gw:
                gw.stop()
            served = [b.stop() for b in backends]
        r = {"depth": depth, "rps": j["throughput_rps"], "errors": j["errors"], "client_opened": j.get("connections_opened"),
             "samples": [{"clients": s[0], "upstream": s[1]} for s in samples], "backend_served": served,
             "gateway_exit": rc, "gateway_seconds": None}
        res.append(r)
        log(f"upstream 256x{depth}: {r}")
    results["upstream"] = res
    print("\n### Upstream connections held for 256 client connections\n")
    print("| client c × d | req/s | client connections at the gateway (ss) | upstream connections per endpoint (ss, ESTABLISHED, "
          "3 samples) | connections each backend accepted in the whole run (incl. health checks) | errors |")
    print("|---|---|---|---|---|---|")
    for r in res:
        cl = sorted({s["clients"] for s in r["samples"]})
        per = [sorted(s["upstream"].values()) for s in r["samples"]]
        acc = [s[1] if s else None for s in r["backend_served"]]
        print(f"| 256 × {r['depth']} | {r['rps']:,.0f} | {cl} | {per} | {acc} | {r['errors']} |")


# ---- part 4: memory per idle connection -----------------------------------------------------------

def frame(cid, payload):
    return struct.pack(">HI", 4 + len(payload), cid) + payload


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed by the gateway")
        buf += chunk
    return buf


def part_memory(a, jv, java_home, results):
    n = a.idle_connections
    backends = [Serve(jv) for _ in range(3)]
    gw = None
    socks = []
    r = {"connections": n}
    try:
        gw = Gateway(jv, gateway_yaml([("all", [b.addr for b in backends], None)], [(None, "all")], max_connections=2 * n))
        run_load(jv, [gw.addr], 16, 16, 2, 1, tag="memory warm-up")  # JIT, pools and buffers in their steady state
        time.sleep(1)
        r["heap_before_kib"], r["heap_before_text"] = heap_used_kib(java_home, gw.pid)
        time.sleep(1)
        hist_before = class_histogram(java_home, gw.pid)
        r["rss_before_kib"] = rss_kib(gw.pid)
        r["sockstat_before"] = sockstat()
        t0 = time.time()
        payload = bytes(range(64))
        answered = 0
        for start in range(0, n, 500):  # batches: the cluster's queue (connections x in flight + pending) is bounded
            batch = []
            for i in range(start, min(n, start + 500)):
                s = socket.create_connection(("127.0.0.1", gw.port), timeout=10)
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                socks.append(s)
                batch.append((i, s))
            for i, s in batch:
                s.sendall(frame(i, payload))
            for i, s in batch:
                got = recv_exact(s, 70)
                if got != frame(i, payload):
                    raise RuntimeError(f"connection {i}: wrong answer {got!r}")
                answered += 1
        r["open_seconds"] = time.time() - t0
        r["answered"] = answered
        time.sleep(3)
        r["rss_open_kib"] = rss_kib(gw.pid)
        r["heap_open_kib"], r["heap_open_text"] = heap_used_kib(java_home, gw.pid)
        time.sleep(1)
        r["rss_open_after_gc_kib"] = rss_kib(gw.pid)
        r["sockstat_open"] = sockstat()
        hist_open = class_histogram(java_home, gw.pid)
        delta = []
        for cls, (inst, byt) in hist_open.items():
            i0, b0 = hist_before.get(cls, (0, 0))
            delta.append((byt - b0, inst - i0, cls))
        delta.sort(reverse=True)
        r["histogram_delta_bytes"] = sum(d[0] for d in delta)
        r["histogram_top"] = delta[:20]
        r["threads"] = len(os.listdir(f"/proc/{gw.pid}/task"))
        r["fds"] = len(os.listdir(f"/proc/{gw.pid}/fd"))
        # still served? one more request on the first and the last connection
        for i in (0, n - 1):
            socks[i].sendall(frame(n + i, payload))
            if recv_exact(socks[i], 70) != frame(n + i, payload):
                raise RuntimeError("idle connection answered wrongly")
        for s in socks:
            s.close()
        socks = []
        time.sleep(3)
        r["heap_closed_kib"], _ = heap_used_kib(java_home, gw.pid)
        hist_closed = class_histogram(java_home, gw.pid)
        kept = []
        for cls, (inst, byt) in hist_closed.items():
            i0, b0 = hist_before.get(cls, (0, 0))
            kept.append((byt - b0, inst - i0, cls))
        kept.sort(reverse=True)
        r["histogram_closed_delta_bytes"] = sum(k[0] for k in kept)
        r["histogram_closed_top"] = kept[:15]
        time.sleep(1)
        r["rss_closed_kib"] = rss_kib(gw.pid)
        r["fds_closed"] = len(os.listdir(f"/proc/{gw.pid}/fd"))
        r["gateway_exit"] = gw.stop()
    finally:
        for s in socks:
            s.close()
        if gw:
            gw.stop()
        for b in backends:
            b.stop()
    results["memory"] = r
    log(f"memory: {r}")
    print(f"\n### Memory per idle proxied connection ({n:,} connections, each answered once, then idle)\n")
    print("| state | gateway RSS MiB | heap used after full GC MiB | fds |")
    print("|---|---|---|---|")
    print(f"| before (after a 16×16 warm-up run) | {r['rss_before_kib'] / 1024:.1f} | {r['heap_before_kib'] / 1024:.1f} | |")
    print(f"| {n:,} open, idle | {r['rss_open_kib'] / 1024:.1f} (after GC {r['rss_open_after_gc_kib'] / 1024:.1f}) | "
          f"{r['heap_open_kib'] / 1024:.1f} | {r['fds']} |")
    print(f"| all closed | {r['rss_closed_kib'] / 1024:.1f} | {r['heap_closed_kib'] / 1024:.1f} | {r['fds_closed']} |")
    print(f"\nPer connection: RSS {(r['rss_open_kib'] - r['rss_before_kib']) * 1024 / n:,.0f} B, heap (live, after GC) "
          f"{(r['heap_open_kib'] - r['heap_before_kib']) * 1024 / n:,.0f} B. Kernel: `{r['sockstat_before']}` → `{r['sockstat_open']}` "
          f"(pages, both ends). Opening and answering all took {r['open_seconds']:.1f} s.")
    print(f"\nLive heap growth by class (`jcmd GC.class_histogram`, open − before; total {r['histogram_delta_bytes'] / n:,.0f} B per connection):\n")
    print("| class | bytes per connection | instances per connection |")
    print("|---|---|---|")
    for byt, inst, cls in r["histogram_top"][:15]:
        print(f"| `{cls}` | {byt / n:,.1f} | {inst / n:.2f} |")
    print(f"\nStill live after all {n:,} closed (closed − before; total {r['histogram_closed_delta_bytes'] / n:,.0f} B per closed connection):\n")
    print("| class | bytes per closed connection | instances per closed connection |")
    print("|---|---|---|")
    for byt, inst, cls in r["histogram_closed_top"][:12]:
        print(f"| `{cls}` | {byt / n:,.1f} | {inst / n:.2f} |")


# ---- part 5: failover ----------------------------------------------------------------------------

def parse_log_time(line, arrival):
    m = LOG_LINE.match(line)
    if not m:
        return None
    h, mi, s, ms = (int(m.group(i)) for i in range(1, 5))
    day = datetime.datetime.fromtimestamp(arrival).date()
    t = datetime.datetime.combine(day, datetime.time(h, mi, s, ms * 1000)).timestamp()
    if t - arrival > 43200:  # logged just before midnight
        t -= 86400
    return t, m.group(6), m.group(8)


def part_failover(a, jv, results):
    results["failover"] = []
    for i, lb in enumerate(a.failover_lb.split(",")):
        failover_gateway(a, jv, results, lb, reference=(i == 0))


def failover_gateway(a, jv, results, lb, reference):
    dur = a.failover_seconds
    kill_at, restart_at = dur / 3, 2 * dur / 3
    backends = [Serve(jv) for _ in range(3)]
    victim = backends[2]
    gw = None
    restarted = None
    ev = {}
    try:
        gw = Gateway(jv, gateway_yaml([("all", [b.addr for b in backends], lb)], [(None, "all")]), name=f"failover-gw-{lb}",
                     info_log=True)
        anchor = {}
        chaos_done = threading.Event()

        def on_tick(k, t):
            if k == 1:
                anchor["t"] = t - 1.0
                threading.Thread(target=chaos, daemon=True).start()

        def chaos():
            try:
                time.sleep(max(0.0, anchor["t"] + kill_at - time.time()))
                ev["killed_at"] = time.time()
                victim.kill()
                time.sleep(max(0.0, anchor["t"] + restart_at - time.time()))
                nonlocal restarted
                ev["restart_started_at"] = time.time()
                restarted = Serve(jv, victim.port, name="backend-restarted")
                ev["restarted_at"] = restarted.ready
            except Exception as e:
                ev["chaos_error"] = repr(e)
                log(f"failover: {e!r}")
            finally:
                chaos_done.set()

        j, _ = run_load(jv, [gw.addr], 16, 16, dur, 3, extra=["--timeout", "2s", "--eject-after", "0"], on_tick=on_tick,
                        tag="failover")
        chaos_done.wait(60)
        if "restarted_at" not in ev:
            raise RuntimeError(f"the victim was not restarted within the run: {ev}")
        deadline = time.time() + 10  # a return after the load's window is still reported
        while time.time() < deadline and not any(
                t >= ev["restarted_at"] - 0.05 and victim.addr in l and re.search(r"back in service|is healthy", l)
                for t, l in list(gw.lines)):
            time.sleep(0.2)
        time.sleep(0.5)
        ev["gateway_exit"] = gw.stop()
    finally:
        if gw:
            gw.stop()
        for b in backends:
            b.stop()
        if restarted:
            restarted.stop()
    start = j["start_epoch_ms"] / 1000
    vaddr = victim.addr
    events = []
    for arrival, line in gw.lines:
        p = parse_log_time(line, arrival)
        if p and vaddr in p[2] or (p and "panic" in p[2]):
            events.append({"at_s": round(p[0] - start, 3), "arrival_s": round(arrival - start, 3), "level": p[1], "text": p[2]})
    kill_s, restart_s = ev["killed_at"] - start, ev["restarted_at"] - start
    after_kill = [e for e in events if e["at_s"] >= kill_s - 0.05]
    first_out = next((e for e in after_kill if re.search(r"ejected|unhealthy", e["text"])), None)
    unhealthy = next((e for e in after_kill if "unhealthy" in e["text"]), None)
    back = next((e for e in events if e["at_s"] >= restart_s - 0.05 and re.search(r"back in service|is healthy", e["text"])), None)
    back_all = [e for e in events if e["at_s"] >= restart_s - 0.05 and re.search(r"back in service|is healthy", e["text"])]
    tl = j["timeline"]

    def rate(lo, hi):
        es = [t for t in tl if t["t_ms"] - t["ms"] >= lo * 1000 and t["t_ms"] <= hi * 1000 and t["ms"] >= 900]
        return sum(t["requests"] for t in es) * 1000 / sum(t["ms"] for t in es) if es else None

    back_s = back["at_s"] if back else None
    r = {"duration": dur, "kill_s": kill_s, "restart_s": restart_s, "events": events, "errors": j["errors"],
         "errors_by_kind": j["errors_by_kind"], "requests": j["requests"], "mismatched": j["mismatched"],
         "failed_max_us": j.get("failed_max_us"), "max_us": j["latency_us"]["max"], "timeline": tl,
         "eject_ms": (first_out["at_s"] - kill_s) * 1000 if first_out else None,
         "unhealthy_ms": (unhealthy["at_s"] - kill_s) * 1000 if unhealthy else None,
         "return_ms": (back_s - restart_s) * 1000 if back else None,
         "rate_before": rate(0, kill_s), "rate_out": rate(kill_s, back_s or dur), "rate_after": rate(back_s, dur) if back_s else None,
         "client_opened": j.get("connections_opened"), "gateway_exit": ev.get("gateway_exit"),
         "gateway_stopped_line": [l for _, l in gw.lines if "stopped" in l][-3:]}
    r["lb"] = lb
    results["failover"].append(r)
    ref = failover_direct(a, jv, dur, kill_at, restart_at) if reference else None
    r["direct_reference"] = ref
    print(f"\n### Failover through the gateway, cluster lb {lb} (16×16 client, {dur} s measured after 3 s warm-up; SIGKILL of one backend at "
          f"{kill_s:.2f} s, restarted on the same port, listening at {restart_s:.2f} s)\n")
    print("| figure | value |")
    print("|---|---|")
    print(f"| first ejected/unhealthy after the kill | {fnum(r['eject_ms'])} ms ({first_out['text'] if first_out else 'none'}) |")
    print(f"| marked unhealthy by health checks after the kill | {fnum(r['unhealthy_ms'])} ms |")
    print(f"| back in service after listening again | {fnum(r['return_ms'])} ms ({back['text'] if back else 'not back'}) |")
    print(f"| failed requests (client) | {r['errors']} {r['errors_by_kind']} of {r['requests'] + r['errors']:,}; mismatched {r['mismatched']} |")
    print(f"| slowest failure / max latency | {fnum((r['failed_max_us'] or 0) / 1000, 1)} ms / {r['max_us'] / 1000:.1f} ms |")
    print(f"| req/s before the kill / while out / after its return | {fnum(r['rate_before'])} / {fnum(r['rate_out'])} / {fnum(r['rate_after'])} |")
    print(f"| client connections opened | {r['client_opened']} |")
    print(f"| gateway's own counters at exit | {' / '.join(r['gateway_stopped_line'])} |")
    if ref:
        print(f"\nReference, the same scenario without the gateway (`netkit load --target` the three backends, 5 connections × 16 "
              f"per target = 240 in flight, round robin, --health-interval 2s, other options default, --timeout 2s): "
              f"failed {ref['errors']} {ref['errors_by_kind']} (the victim's connections hold at most 5 × 16 = 80), "
              f"ejected {fnum(ref['eject_ms'])} ms after the kill, back {fnum(ref['return_ms'])} ms after listening again, "
              f"req/s before / while out / after {fnum(ref['rate_before'])} / {fnum(ref['rate_out'])} / {fnum(ref['rate_after'])}; "
              f"timeline (req/s): {[round(t['rps']) for t in ref['timeline']]}")
    print("\nGateway log lines about the victim (time since the measured window started, from the log's own timestamp):\n")
    print("```")
    for e in events:
        print(f"{e['at_s']:7.3f} s  {e['level']:5s} {e['text']}")
    print("```\n\nTimeline:\n\n```")
    for t in tl:
        print(f"t={t['t_ms'] / 1000:6.2f} s  {t['rps']:>10,.0f} req/s  errors {t['errors']}")
    print("```")


def failover_direct(a, jv, dur, kill_at, restart_at):
    """The failover scenario with the load's own broker balancing over the backends (no gateway)."""
    backends = [Serve(jv) for _ in range(3)]
    victim = backends[2]
    restarted = None
    ev = {}
    done = threading.Event()
    try:
        anchor = {}

        def chaos():
            try:
                time.sleep(max(0.0, anchor["t"] + kill_at - time.time()))
                ev["killed_at"] = time.time()
                victim.kill()
                time.sleep(max(0.0, anchor["t"] + restart_at - time.time()))
                nonlocal restarted
                restarted = Serve(jv, victim.port, name="backend-restarted")
                ev["restarted_at"] = restarted.ready
            except Exception as e:
                ev["error"] = repr(e)
            finally:
                done.set()

        def on_tick(k, t):
            if k == 1:
                anchor["t"] = t - 1.0
                threading.Thread(target=chaos, daemon=True).start()

        j, _ = run_load(jv, [b.addr for b in backends], 5, 16, dur, 3, extra=["--timeout", "2s", "--health-interval", "2s"],
                        on_tick=on_tick, tag="failover direct reference")
        done.wait(60)
    finally:
        for b in backends:
            b.stop()
        if restarted:
            restarted.stop()
    if "restarted_at" not in ev:
        log(f"failover direct reference: {ev}")
        return None
    start = j["start_epoch_ms"] / 1000
    kill_s, restart_s = ev["killed_at"] - start, ev["restarted_at"] - start
    evs = [e for e in j["events"] if e["endpoint"] == victim.addr]
    ej = next((e for e in evs if e["type"] in ("ejected", "unhealthy") and e["at_ms"] >= kill_s * 1000 - 50), None)
    back = next((e for e in evs if e["type"] in ("returned", "healthy") and e["at_ms"] >= restart_s * 1000 - 50), None)
    tl = j["timeline"]

    def rate(lo, hi):
        es = [t for t in tl if t["t_ms"] - t["ms"] >= lo * 1000 and t["t_ms"] <= hi * 1000 and t["ms"] >= 900]
        return sum(t["requests"] for t in es) * 1000 / sum(t["ms"] for t in es) if es else None

    back_s = back["at_ms"] / 1000 if back else None
    return {"errors": j["errors"], "errors_by_kind": j["errors_by_kind"], "events": evs, "timeline": tl,
            "eject_ms": ej["at_ms"] - kill_s * 1000 if ej else None, "return_ms": back["at_ms"] - restart_s * 1000 if back else None,
            "rate_before": rate(0, kill_s), "rate_out": rate(kill_s, back_s or dur), "rate_after": rate(back_s, dur) if back_s else None,
            "retried": j.get("retried")}


# ---- part 6: reload under load --------------------------------------------------------------------

def part_reload(a, jv, results):
    res = []
    for mode in ("routes+endpoints", "replace"):
        backends = [Serve(jv) for _ in range(3)]
        b1, b2, b3 = (b.addr for b in backends)
        # A: every request to "all" (three endpoints). B: every request matches the first route (byte 8 of every
        # payload of netkit load is 'i') and goes to "alt"; "all" lost b3. In "replace", alt's lb changes too.
        conf_a = gateway_yaml([("all", [b1, b2, b3], None), ("alt", [b2, b3], None)], [(None, "all")])
        conf_b = gateway_yaml([("all", [b1, b2], None), ("alt", [b2, b3], "least-outstanding" if mode == "replace" else None)],
                              [("i", "alt"), (None, "all")])
        gw = None
        hups = [0]
        stop_hup = threading.Event()
        try:
            gw = Gateway(jv, conf_a, name=f"reload-{mode.replace('+', '-')}", info_log=True)

            def storm():
                k = 0
                while not stop_hup.wait(0.2):
                    k += 1
                    write_atomic(gw.config, conf_b if k % 2 else conf_a)
                    if gw.proc.poll() is not None:
                        return
                    gw.proc.send_signal(signal.SIGHUP)
                    hups[0] += 1

            def on_tick(k, _t):
                if k == 1:
                    threading.Thread(target=storm, daemon=True).start()

            j, _ = run_load(jv, [gw.addr], 16, 16, a.reload_seconds, 2, extra=["--timeout", "2s"], on_tick=on_tick,
                            tag=f"reload {mode}")
            stop_hup.set()
            time.sleep(1)
            alive = gw.proc.poll() is None
            rc = gw.stop()
        finally:
            stop_hup.set()
            if gw:
                gw.stop()
            for b in backends:
                b.stop()
        lines = [l for _, l in gw.lines]
        r = {"mode": mode, "hups": hups[0], "reloaded": sum("netkit gateway: reloaded" in l for l in lines),
             "applied": sum("gateway configuration applied" in l for l in lines),
             "rejected": [l for l in lines if "rejected" in l or "reload failed" in l][:5],
             "warnings": [l for l in lines if " WARN " in l or " ERROR " in l][:10],
             "requests": j["requests"], "errors": j["errors"], "errors_by_kind": j["errors_by_kind"], "mismatched": j["mismatched"],
             "client_opened": j.get("connections_opened"), "rps": j["throughput_rps"], "p99": j["latency_us"]["p99"],
             "max_us": j["latency_us"]["max"], "alive": alive, "gateway_exit": rc, "retried": j.get("retried")}
        res.append(r)
        log(f"reload {mode}: {r}")
    results["reload"] = res
    print(f"\n### Reload under load (16×16 through the gateway, {a.reload_seconds} s measured; config swapped and SIGHUP every 200 ms)\n")
    print("| change per reload | SIGHUPs sent | reloads applied | rejected | requests | failed (by kind) | mismatched | "
          "client connections opened | req/s | p99 µs | max ms | gateway alive, exit |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in res:
        print(f"| {r['mode']} | {r['hups']} | {r['reloaded']} | {len(r['rejected'])} | {r['requests']:,} | {r['errors']} {r['errors_by_kind']} | "
              f"{r['mismatched']} | {r['client_opened']} | {r['rps']:,.0f} | {r['p99']:.0f} | {r['max_us'] / 1000:.1f} | {r['alive']}, {r['gateway_exit']} |")
    for r in res:
        if r["warnings"] or r["rejected"]:
            print(f"\n{r['mode']}: gateway warnings: " + "; ".join(r["warnings"] + r["rejected"]))


# ---- JFR ------------------------------------------------------------------------------------------

def frame_name(f):
    m = f.get("method", {})
    return f"{m.get('type', {}).get('name', '?')}.{m.get('name', '?')}"


def part_jfr(a, jv, java_home, results):
    backends = [Serve(jv) for _ in range(3)]
    gw = None
    rec = os.path.join(OUT, "gateway-16x16.jfr")
    try:
        gw = Gateway(jv, gateway_yaml([("all", [b.addr for b in backends], None)], [(None, "all")]), name="jfr-gw",
                     jvm_extra=["-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints",
                                "-XX:StartFlightRecording=name=gw,settings=profile"])
        run_load(jv, [gw.addr], 16, 16, 3, 1, tag="jfr warm-up")
        jcmd(java_home, gw.pid, "JFR.stop", "name=gw")
        # profile settings plus JDK 25's CPU-time sampler (JEP 509): it samples by CPU time, so time in
        # syscalls (epoll, read, writev) shows up under the native method that made them
        started = jcmd(java_home, gw.pid, "JFR.start", "name=gw2", "settings=profile", "jdk.CPUTimeSample#enabled=true",
                       "jdk.CPUTimeSample#throttle=2ms")
        if "Started recording" not in started:
            log(f"JFR.start with the CPU-time sampler: {started.strip()}; falling back to settings=profile")
            jcmd(java_home, gw.pid, "JFR.start", "name=gw2", "settings=profile")
        j, ticks = run_load(jv, [gw.addr], 16, 16, 6, 1, track={"gateway": [gw.pid]}, tag="jfr 16x16")
        jcmd(java_home, gw.pid, "JFR.stop", "name=gw2", f"filename={rec}")
        gw.stop()
    finally:
        if gw:
            gw.stop()
        for b in backends:
            b.stop()
    jfr = os.path.join(java_home, "bin", "jfr")
    r = {"rps": j["throughput_rps"], "recording": rec}
    stats = {}
    for kind in ("jdk.ExecutionSample", "jdk.NativeMethodSample", "jdk.CPUTimeSample"):
        out = subprocess.run([jfr, "print", "--json", "--stack-depth", "64", "--events", kind, rec], capture_output=True,
                             text=True, timeout=300).stdout
        try:
            evs = json.loads(out)["recording"]["events"]
        except (json.JSONDecodeError, KeyError):
            evs = []
        per_thread, top, incl = {}, {}, {}
        for e in evs:
            th = (e["values"].get("sampledThread") or e["values"].get("eventThread") or {}).get("javaName") or "?"
            per_thread[th] = per_thread.get(th, 0) + 1
            frames = (e["values"].get("stackTrace") or {}).get("frames") or []
            if frames:
                top[frame_name(frames[0])] = top.get(frame_name(frames[0]), 0) + 1
            for name in {frame_name(f) for f in frames}:
                incl[name] = incl.get(name, 0) + 1
        callers = {}
        for e in evs:  # for the hottest top frames: the first netkit frame under them (who made the call)
            frames = (e["values"].get("stackTrace") or {}).get("frames") or []
            if not frames:
                continue
            topn = frame_name(frames[0])
            nk = next((frame_name(f) for f in frames[1:] if "netkit" in frame_name(f)), "(no netkit frame)")
            callers.setdefault(topn, {}).setdefault(nk, 0)
            callers[topn][nk] += 1
        stats[kind] = {"callers": {t: sorted(c.items(), key=lambda x: -x[1])[:6] for t, c in callers.items()
                                   if sum(c.values()) >= max(5, len(evs) // 50)},
                       "samples": len(evs), "per_thread": sorted(per_thread.items(), key=lambda x: -x[1])[:12],
                       "top": sorted(top.items(), key=lambda x: -x[1])[:30], "inclusive": sorted(incl.items(), key=lambda x: -x[1])[:60]}
    r["stats"] = stats
    views = {}
    for view in ("hot-methods", "allocation-by-class", "gc-pauses"):
        views[view] = subprocess.run([jfr, "view", "--width", "160", view, rec], capture_output=True, text=True, timeout=300).stdout
    r["views"] = views
    results["jfr"] = r
    with open(os.path.join(OUT, "jfr-summary.txt"), "w") as f:
        for kind, s in stats.items():
            f.write(f"== {kind}: {s['samples']} samples\nper thread: {s['per_thread']}\n-- top frames --\n")
            for n_, c in s["top"]:
                f.write(f"{c:6d} {100 * c / s['samples']:5.1f}%  {n_}\n")
            f.write("-- first netkit frame under the hottest top frames --\n")
            for t, cs in sorted(s["callers"].items(), key=lambda x: -sum(c for _, c in x[1])):
                f.write(f"{t}:\n")
                for n_, c in cs:
                    f.write(f"    {c:6d}  {n_}\n")
            f.write("-- inclusive --\n")
            for n_, c in s["inclusive"]:
                f.write(f"{c:6d} {100 * c / s['samples']:5.1f}%  {n_}\n")
        for v, text in views.items():
            f.write(f"== jfr view {v}\n{text}\n")
    print(f"\n### JFR of the gateway, 16×16 ({j['throughput_rps']:,.0f} req/s in the recorded run), "
          f"summary in {os.path.relpath(os.path.join(OUT, 'jfr-summary.txt'), ROOT)}\n")
    for kind, s in stats.items():
        print(f"{kind}: {s['samples']} samples; per thread {s['per_thread'][:6]}")
    for kind in ("jdk.CPUTimeSample", "jdk.ExecutionSample"):
        ex = stats[kind]
        if not ex["samples"]:
            continue
        print(f"\nTop frames ({kind}):\n\n```")
        for n_, c in ex["top"][:20]:
            print(f"{c:6d} {100 * c / max(1, ex['samples']):5.1f}%  {n_}")
        print("```")


# ---- syscalls per request (perf tracepoints) -----------------------------------------------------

SYSCALLS = ["sendto", "recvfrom", "read", "write", "writev", "readv", "sendmsg", "recvmsg", "epoll_wait", "epoll_pwait",
            "epoll_pwait2", "epoll_ctl", "futex"]


def perf_stat(pids, seconds, out):
    events = ["raw_syscalls:sys_enter"] + [f"syscalls:sys_enter_{x}" for x in SYSCALLS]
    events = [e for e in events if e.startswith("raw") or os.path.exists(f"/sys/kernel/tracing/events/syscalls/{e.split(':')[1]}")]
    return popen(["perf", "stat", "-x", ",", "-o", out, "-e", ",".join(events), "-p", ",".join(str(p) for p in pids), "--",
                  "sleep", str(seconds)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def read_perf(out):
    res = {}
    with open(out) as f:
        for line in f:
            parts = line.strip().split(",")
            if len(parts) > 3 and parts[0].replace(".", "").isdigit():
                name = parts[2].split(":")[1].replace("sys_enter_", "")
                res["all" if name == "sys_enter" else name] = int(float(parts[0]))
    return res


def part_syscalls(a, jv, results):
    if shutil.which("perf") is None or not os.path.exists("/sys/kernel/tracing/events/raw_syscalls"):
        print("\n(syscalls: perf or tracefs not available; skipped)")
        return
    res = []
    for c, d in ((16, 16), (16, 1)):
        for v in ("gateway", "direct-eq"):
            backends = [Serve(jv) for _ in range(3)]
            gw = None
            perfs = {}
            try:
                if v == "gateway":
                    gw = Gateway(jv, gateway_yaml([("all", [b.addr for b in backends], None)], [(None, "all")]))
                    run_load(jv, [gw.addr], 16, 16, 2, 1, tag="syscalls warm-up")
                    targets, conns = [gw.addr], c
                else:
                    run_load(jv, [b.addr for b in backends], 5, 16, 2, 1, tag="syscalls warm-up")
                    targets, conns = [b.addr for b in backends], max(1, round(c / 3))
                files = {n: os.path.join(OUT, f"perf-{v}-{c}x{d}-{n}.csv") for n in ("gateway", "backends", "load")}

                def on_tick(k, _t):
                    if k == 1:
                        load_pid = RUNNING[-1].pid  # the load (started last)
                        if gw:
                            perfs["gateway"] = perf_stat([gw.pid], 3, files["gateway"])
                        perfs["backends"] = perf_stat([b.proc.pid for b in backends], 3, files["backends"])
                        perfs["load"] = perf_stat([load_pid], 3, files["load"])

                j, ticks = run_load(jv, targets, conns, d, 5, 1, on_tick=on_tick, tag=f"syscalls {v} {c}x{d}")
                for pp in perfs.values():
                    pp.wait(20)
            finally:
                if gw:
                    gw.stop()
                for b in backends:
                    b.stop()
            reqs = sum(e["requests"] for e in j["timeline"][1:4])
            row = {"variant": v, "config": f"{c}x{d}", "requests": reqs, "rps": j["throughput_rps"]}
            for n, f in files.items():
                if os.path.exists(f):
                    row[n] = {k: x / reqs for k, x in read_perf(f).items()}
            res.append(row)
            log(f"syscalls {v} {c}x{d}: {row}")
    results["syscalls"] = res
    print("\n### System calls per request (perf stat tracepoints over 3 s of a 5-s run; one run each)\n")
    print("| c × d | variant | req/s | process | all | sendto | recvfrom | writev | read | epoll_wait (+pwait) | futex |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for row in res:
        for n in ("gateway", "backends", "load"):
            x = row.get(n)
            if not x:
                continue
            ep = x.get("epoll_wait", 0) + x.get("epoll_pwait", 0) + x.get("epoll_pwait2", 0)
            print(f"| {row['config']} | {row['variant']} | {row['rps']:,.0f} | {n} | {x.get('all', 0):.3f} | {x.get('sendto', 0):.3f} | "
                  f"{x.get('recvfrom', 0):.3f} | {x.get('writev', 0):.3f} | {x.get('read', 0):.3f} | {ep:.3f} | {x.get('futex', 0):.3f} |")


# ---- main -----------------------------------------------------------------------------------------

def main():
    global OUT
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--seconds", type=int, default=4, help="measured seconds of each load run")
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--configs", default="16x16,64x16,16x1", help="client connections x depth for the load part")
    ap.add_argument("--parts", default="load,upstream,memory,failover,reload,jfr,syscalls")
    ap.add_argument("--idle-connections", type=int, default=10000)
    ap.add_argument("--failover-seconds", type=int, default=21)
    ap.add_argument("--failover-lb", default="round-robin,least-outstanding", help="the cluster's lb in each failover run")
    ap.add_argument("--reload-seconds", type=int, default=10)
    ap.add_argument("--nice", action="store_true", help="run every process at nice 19 (smoke tests on a busy machine)")
    ap.add_argument("--render", metavar="RESULTS_JSON", help="only print the load part's tables again from a run's results.json")
    a = ap.parse_args()
    if a.render:
        with open(a.render) as f:
            r = json.load(f)
        argv = r.get("argv", [])
        sec = argv[argv.index("--seconds") + 1] if "--seconds" in argv else "4"
        wu = argv[argv.index("--warmup") + 1] if "--warmup" in argv else "1"
        print_load(r["load"], f"{sec} s measured after {wu} s warm-up (re-rendered from {a.render})")
        return
    if not os.path.exists(JAR):
        sys.exit("build the CLI first: ./netkit --help")
    if a.nice:
        NICE.extend(["nice", "-n", "19"])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # children (the gateway) inherit it
    if hard < a.idle_connections + 1000 and "memory" in a.parts:
        sys.exit(f"RLIMIT_NOFILE hard limit {hard} is too low for {a.idle_connections} connections")
    OUT = os.path.join(ROOT, "bench-results", time.strftime("gateway-%Y%m%d-%H%M%S"))
    os.makedirs(OUT, exist_ok=True)
    java_home, jv = java()
    ver = subprocess.run([jv[0], "-version"], capture_output=True, text=True).stderr.splitlines()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"Machine: nproc {os.cpu_count()}, {cpu}, kernel {os.uname().release}; JDK: {ver[1] if len(ver) > 1 else ver}; "
          f"flags {' '.join(jv[1:])}; commit {commit}; RLIMIT_NOFILE {hard}; {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"Command: scripts/bench_gateway.py {' '.join(sys.argv[1:])}")
    results = {"argv": sys.argv, "commit": commit}

    def on_term(_s, _f):
        raise SystemExit("terminated")

    signal.signal(signal.SIGTERM, on_term)
    parts = a.parts.split(",")
    try:
        for part in ("load", "upstream", "memory", "failover", "reload", "jfr", "syscalls"):
            if part not in parts:
                continue
            t0 = time.time()
            log(f"== {part}")
            try:
                if part == "load":
                    part_load(a, jv, results)
                elif part == "upstream":
                    part_upstream(a, jv, results)
                elif part == "memory":
                    part_memory(a, jv, java_home, results)
                elif part == "failover":
                    part_failover(a, jv, results)
                elif part == "reload":
                    part_reload(a, jv, results)
                elif part == "jfr":
                    part_jfr(a, jv, java_home, results)
                elif part == "syscalls":
                    part_syscalls(a, jv, results)
            except Exception as e:  # report and go on with the next part
                import traceback
                traceback.print_exc()
                print(f"\n**part {part} failed: {e!r}**")
                results.setdefault("failed_parts", []).append({"part": part, "error": repr(e)})
            sys.stdout.flush()
            log(f"== {part} took {time.time() - t0:.0f} s")
    finally:
        stop_all()
        with open(os.path.join(OUT, "results.json"), "w") as f:
            json.dump(results, f, indent=1, default=str)
        log(f"raw results: {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
