#!/usr/bin/env python3
"""UDP benchmark (issue 13, "Measure"): netkit's UdpServer, udp-load and UDP gateway listener
against the independent C tool ../shared/tools/udpload.c, side by side, on loopback.

Usage (Debian 12, gcc present; everything is started here and stopped at the end):
  scripts/bench_udp.py [--cells sink,echo,driver,gateway] [--reps 3] [--seconds 4] [--warmup 1]
                       [--tools ../shared/tools] [--jar NETKIT_JAR] [--md OUT.md]
  Before/after of one cell: copy the old build's jar aside and alternate runs with --jar OLD and
  the default (e.g. --cells gateway --reps 1, three times each).
  Smoke test: scripts/bench_udp.py --reps 1 --seconds 1

Cells (64-byte datagrams; targets alternate within each repetition, order rotated):
  * sink: two `udpload send` processes flat out into (a) `udpload sink` (C, recvmmsg) and (b)
    `netkit udp-serve --mode sink` (one I/O thread, the default on 2 cores). Figure: packets/s
    the server received in the senders' measured window (C sink: started per run, its own RESULT,
    packets over first..last packet; netkit: a long-lived server, its Prometheus counter
    netkit_udp_received_packets_total read twice inside the window).
  * echo: one `udpload send -e` against `udpload sink -e` (C echo) and `netkit udp-serve --mode
    echo`; figure: echoes/s the sender counted (its RESULT received_pps, after its warm-up).
  * driver: the C sink (fresh per run) loaded by one `udpload send` or by `netkit udp-load
    --no-echo` (fresh JVM; no warm-up option, so its JIT warm-up is inside its duration); figures:
    the driver's sent_pps and the sink's received pps.
  * gateway: one `udpload send -e` against a C echo directly, and through `netkit gateway` with
    one `protocol: udp` listener (cluster = that C echo, no health checks); figure: echoes/s.
Per run: CPU (utime+stime) of the server/gateway, the senders and every other process; packets/s
per core of the netkit process = its packets (received, or relayed both ways for the gateway)
÷ its cores. Every benchmark process runs in an autogroup at nice -10 (see bench_tls.py: with
autogroups, another session's nice 19 does not yield to us otherwise). Raw runs:
bench-results/udp-*.jsonl.
"""
import argparse, json, os, re, signal, socket, statistics, subprocess, sys, tempfile, time, shutil, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_l4 import STARTED, proc_ticks, machine_ticks, java, ensure_jar, log, JAR, HZ  # noqa: E402
from bench_tls import boost, all_ticks, comm  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Bg:
    """A long-lived process stopped by PID at the end."""

    def __init__(self, name, argv, logdir, first_line=None):
        self.name = name
        self.err = open(os.path.join(logdir, f"{name}.log"), "w")
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.err, text=True, start_new_session=True)
        STARTED.append(self)
        boost(self.proc.pid)
        if first_line:
            line = self.proc.stdout.readline()
            if not re.search(first_line, line):
                raise RuntimeError(f"{name}: unexpected first line {line!r} (see {self.err.name})")
        time.sleep(0.3)

    def pids(self):
        return [self.proc.pid]

    def stop(self):
        out = ""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                out = self.proc.communicate(timeout=15)[0]
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.err.close()
        return out


def metric(port, name):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.split()[-1])
    raise RuntimeError(f"metric {name} not found on :{port}")


def parse_result(out):
    m = re.search(r"RESULT (.*)", out)
    if not m:
        raise RuntimeError(f"no RESULT line in {out!r}")
    return {k: float(v) if re.match(r"^[\d.]+$", v) else v for k, v in (kv.split("=") for kv in m.group(1).split())}


def measure(senders, window, tracked, counter=None):
    """Starts the sender processes, snapshots CPU (and the optional counter) at window[0] and
    window[1] seconds after start, waits for them; returns their outputs and the split."""
    t0 = time.monotonic()
    ps = [subprocess.Popen(a, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for a in senders]
    for p in ps:
        boost(p.pid)
    snaps = []
    try:
        for at in window:
            time.sleep(max(0, t0 + at - time.monotonic()))
            g = {k: proc_ticks(v) for k, v in tracked.items()}
            g["senders"] = proc_ticks([p.pid for p in ps])
            snaps.append((time.monotonic(), g, machine_ticks(), all_ticks(), counter() if counter else 0))
        outs = [p.communicate(timeout=120) for p in ps]
    finally:
        for p in ps:
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, (o, e) in zip(ps, outs):
        if p.returncode != 0:
            raise RuntimeError(f"{p.args[:3]} exit {p.returncode}: {o[-300:]} {e[-800:]}")
    (ta, ga, ma, aa, ca), (tb, gb, mb, ab, cb) = snaps
    wall = tb - ta
    mine = set(x for v in tracked.values() for x in v) | {p.pid for p in ps}
    others = {pid: (t - aa[pid]) / HZ / wall for pid, t in ab.items() if pid not in mine and pid in aa and t > aa[pid]}
    top = sorted(others.items(), key=lambda kv: -kv[1])[:3]
    return [o for o, _ in outs], {
        "cores": {k: (gb[k] - ga[k]) / HZ / wall for k in ga}, "counter_rate": (cb - ca) / wall,
        "others_cores": sum(others.values()), "others_top": [[pid, round(c, 3), comm(pid)] for pid, c in top],
        "steal_pct": 100.0 * (mb["steal"] - ma["steal"]) / max(1, mb["total"] - ma["total"])}


def med_range(xs, f):
    return f"{f(statistics.median(xs))} ({f(min(xs))}–{f(max(xs))})"


def fk(x):
    return f"{x / 1000:,.0f}k"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cells", default="sink,echo,driver,gateway")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=4)
    ap.add_argument("--warmup", type=float, default=1)
    ap.add_argument("--tools", default=os.path.join(os.path.dirname(ROOT), "shared", "tools"))
    ap.add_argument("--base-port", type=int, default=19900)
    ap.add_argument("--jar", default=JAR, help="the netkit CLI jar to run (e.g. a copy of an older build, for before/after)")
    ap.add_argument("--md")
    ap.add_argument("--render", metavar="JSONL", help="only print the tables of an earlier run's raw file")
    a = ap.parse_args()
    cells = a.cells.split(",")
    secs, warm = a.seconds, a.warmup
    started = time.time()

    def _stop(signum, _frame):
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _stop)

    if a.render:
        results, meta = {}, {}
        for line in open(a.render):
            r = json.loads(line)
            if r.get("type") == "meta":
                meta = r
            elif "cell" in r:
                results.setdefault((r["cell"], r["target"]), []).append(r)
        return report(results, [c for c in cells if any(k[0] == c for k in results)], meta.get("jdk", "?"),
                      meta.get("seconds", secs), meta.get("warmup", warm), 0, a.render, None)
    if a.jar == JAR:
        ensure_jar()
    jv, jdk = java()
    tmp = tempfile.mkdtemp(prefix="bench-udp-")
    os.makedirs(os.path.join(ROOT, "bench-results"), exist_ok=True)
    raw_path = os.path.join(ROOT, "bench-results", time.strftime("udp-%Y%m%d-%H%M%S.jsonl"))
    raw = open(raw_path, "w")
    bp = a.base_port
    U = f"{tmp}/udpload"
    results = {}
    window = (warm + 0.1 * secs, warm + 0.9 * secs)  # inside the senders' measured time

    def send(port, echo=False):
        return [U, "send", "-a", "127.0.0.1", "-p", str(port), "-s", "64", "-d", f"{secs:g}", "-w", f"{warm:g}"] + (["-e"] if echo else [])

    def record(cell, target, rep, r):
        r.update(cell=cell, target=target, rep=rep)
        raw.write(json.dumps(r) + "\n")
        raw.flush()
        results.setdefault((cell, target), []).append(r)
        log(f"rep {rep + 1} {cell:8s} {target:14s} {r['pps']:>11,.0f} pps  " +
            " ".join(f"{k} {v:.2f}" for k, v in r["cores"].items()) + f"  others {r['others_cores']:.2f}")

    try:
        subprocess.run(["gcc", "-O2", "-o", U, f"{a.tools}/udpload.c"], check=True)
        raw.write(json.dumps({"type": "meta", "jdk": jdk, "nproc": os.cpu_count(), "kernel": os.uname().release,
                              "seconds": secs, "warmup": warm, "jar": a.jar}) + "\n")
        life = "7200"
        nk = {}
        if "sink" in cells or "echo" in cells:
            for i, mode in enumerate(("sink", "echo")):
                port, mport = bp + 1 + i, bp + 11 + i
                nk[mode] = (Bg(f"netkit-{mode}", jv + ["-jar", a.jar, "udp-serve", "--port", str(port), "--mode", mode,
                                                       "--metrics-port", str(mport)], tmp, r"listening on"), port, mport)
        cecho_port = bp + 5
        cecho = Bg("c-echo", [U, "sink", "-a", "127.0.0.1", "-p", str(cecho_port), "-e", "-d", life], tmp)
        gw_port = bp + 6
        if "gateway" in cells:
            cfg = os.path.join(tmp, "gw.yaml")
            gw_yaml = f"""listeners:
  - name: u
    bind: 127.0.0.1:{gw_port}
    protocol: udp
    cluster: echo
    idle_timeout: 60s
    max_sessions: 10000
clusters:
  - name: echo
    endpoints: [ "127.0.0.1:{cecho_port}" ]
    health: {{ enabled: false }}
admin: {{ bind: "127.0.0.1:0" }}
"""
            with open(cfg, "w") as f:
                f.write(gw_yaml)
            raw.write(json.dumps({"type": "gateway-config", "yaml": gw_yaml}) + "\n")
            gw = Bg("gateway", jv + ["-jar", a.jar, "gateway", "--config", cfg], tmp, r"listening u on")
        log("warm-up (unrecorded) ...")
        for mode, (b, port, _) in nk.items():  # JIT of the servers
            subprocess.run([U, "send", "-p", str(port), "-s", "64", "-d", "3", "-w", "0"] + (["-e"] if mode == "echo" else []),
                           capture_output=True)
        if "gateway" in cells:
            subprocess.run([U, "send", "-p", str(gw_port), "-s", "64", "-d", "3", "-w", "0", "-e"], capture_output=True)

        for rep in range(a.reps):
            flip = rep % 2 == 1
            if "sink" in cells:
                for t in (["netkit", "c"] if flip else ["c", "netkit"]):
                    if t == "c":
                        port = bp + 7
                        sink = subprocess.Popen([U, "sink", "-a", "127.0.0.1", "-p", str(port), "-d", f"{warm + secs + 1:g}"],
                                                stdout=subprocess.PIPE, text=True)
                        boost(sink.pid)
                        time.sleep(0.2)
                        outs, r = measure([send(port), send(port)], window, {"server": [sink.pid]})
                        res = parse_result(sink.communicate(timeout=30)[0])
                        r["pps"] = res["pps"]
                    else:
                        b, port, mport = nk["sink"]
                        outs, r = measure([send(port), send(port)], window, {"server": [b.proc.pid]},
                                          lambda: metric(mport, "netkit_udp_received_packets_total"))
                        r["pps"] = r["counter_rate"]
                    r["sent_pps"] = sum(parse_result(o)["sent_pps"] for o in outs)
                    record("sink", t, rep, r)
            if "echo" in cells:
                for t in (["netkit", "c"] if flip else ["c", "netkit"]):
                    if t == "c":
                        port, pid = cecho_port, cecho.proc.pid
                    else:
                        b, port, _ = nk["echo"]
                        pid = b.proc.pid
                    outs, r = measure([send(port, True)], window, {"server": [pid]})
                    res = parse_result(outs[0])
                    r.update(pps=res["received_pps"], sent_pps=res["sent_pps"], loss=res["loss"], bad=res["bad"])
                    record("echo", t, rep, r)
            if "driver" in cells:
                for t in (["netkit-udp-load", "udpload"] if flip else ["udpload", "netkit-udp-load"]):
                    port = bp + 8
                    sink = subprocess.Popen([U, "sink", "-a", "127.0.0.1", "-p", str(port), "-d", f"{warm + secs + 2:g}"],
                                            stdout=subprocess.PIPE, text=True)
                    boost(sink.pid)
                    time.sleep(0.2)
                    if t == "udpload":
                        outs, r = measure([send(port)], window, {"sink": [sink.pid]})
                        r["sent_pps"] = parse_result(outs[0])["sent_pps"]
                    else:
                        argv = jv + ["-jar", a.jar, "udp-load", "--target", f"127.0.0.1:{port}", "--size", "64",
                                     "--duration", f"{warm + secs:g}s", "--no-echo", "--json"]
                        outs, r = measure([argv], (1 + warm + 0.1 * secs, 1 + warm + 0.8 * secs), {"sink": [sink.pid]})
                        j = json.loads(outs[0].strip().splitlines()[-1])
                        r["sent_pps"] = j["sent_pps"]
                        r["udp_load_json"] = j
                    r["pps"] = r["sent_pps"]
                    r["sink_pps"] = parse_result(sink.communicate(timeout=30)[0])["pps"]
                    record("driver", t, rep, r)
            if "gateway" in cells:
                for t in (["gateway", "direct"] if flip else ["direct", "gateway"]):
                    port = gw_port if t == "gateway" else cecho_port
                    tracked = {"echo": [cecho.proc.pid]}
                    if t == "gateway":
                        tracked["server"] = [gw.proc.pid]
                    outs, r = measure([send(port, True)], window, tracked)
                    res = parse_result(outs[0])
                    r.update(pps=res["received_pps"], sent_pps=res["sent_pps"], loss=res["loss"], bad=res["bad"])
                    record("gateway", t, rep, r)
    finally:
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        for p in reversed(STARTED):
            try:
                p.stop()
            except Exception as e:
                log(f"stopping {p.name}: {e}")
        raw.close()
        shutil.rmtree(tmp, ignore_errors=True)
        log(f"stopped {len(STARTED)} processes; raw runs in {raw_path}")

    report(results, cells, jdk, secs, warm, (time.time() - started) / 60, raw_path, a.md)


def report(results, cells, jdk, secs, warm, minutes, raw_path, md):
    base = {"sink": "c", "echo": "c", "driver": "udpload", "gateway": "direct"}
    lines = [f"Machine: nproc {os.cpu_count()}, kernel {os.uname().release}, JDK {jdk}; {secs:g} s measured after "
             f"{warm:g} s warm-up, 64-byte datagrams; elapsed {minutes:.1f} min; raw runs in "
             f"{os.path.relpath(raw_path, ROOT)}.", "",
             "| cell | target | n | packets/s median (range) | ÷ base, paired median (range) | server cores | senders cores "
             "| others cores | netkit packets/s per core | sent pps (senders) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for cell in cells:
        b = {r["rep"]: r["pps"] for r in results.get((cell, base[cell]), [])}
        for (c, t), rs in results.items():
            if c != cell:
                continue
            pr = [r["pps"] / b[r["rep"]] for r in rs if r["rep"] in b]
            ratio = "1" if t == base[cell] else med_range(pr, lambda x: f"{x:.2f}")
            sc = [r["cores"].get("server") for r in rs if r["cores"].get("server") is not None]
            per = "–"
            if t in ("netkit", "gateway") and sc:
                mult = 2 if cell == "gateway" else (2 if cell == "echo" else 1)  # packets handled: in (+ out)
                per = f"{statistics.median(r['pps'] * mult / r['cores']['server'] for r in rs) / 1e6:.2f}M"
            if cell == "driver":
                sc = [r["cores"]["senders"] for r in rs]
                per = f"{statistics.median(r['pps'] / r['cores']['senders'] for r in rs) / 1e6:.2f}M (driver)"
            lines.append(f"| {cell} | {t} | {len(rs)} | {med_range([r['pps'] for r in rs], fk)} | {ratio} | "
                         f"{statistics.median(sc) if sc else float('nan'):.2f} | {statistics.median(r['cores']['senders'] for r in rs):.2f} | "
                         f"{statistics.median(r['others_cores'] for r in rs):.2f} | {per} | "
                         f"{fk(statistics.median(r.get('sent_pps', 0) for r in rs))}"
                         + (f"; sink {fk(statistics.median(r['sink_pps'] for r in rs))}" if cell == "driver" else "") + " |")
    text = "\n".join(lines)
    print(text)
    if md:
        with open(md, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
