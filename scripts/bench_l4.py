#!/usr/bin/env python3
"""L4 (TCP) proxy benchmark: `netkit gateway` (protocol: tcp) against HAProxy 2.6 and nginx 1.22
stream, side by side in one run, on loopback (issue 11, "Measure").

Usage (as root on a fresh Debian 12 machine; everything else is set up and torn down here):
  scripts/bench_l4.py [--tools ../shared/tools] [--reps 3] [--seconds 5] [--warmup 1]
                      [--targets direct,haproxy-1t,haproxy-2t,nginx-1w,nginx-2w,netkit]
                      [--cells rawload-1x1,rawload-16x1,rawload-16x16,rawload-64x1,cload-16x16]
                      [--md OUT.md] [--max-minutes 30] [--no-install]
  Smoke test: scripts/bench_l4.py --reps 1 --seconds 1

What it sets up (and removes or stops at the end, also on Ctrl-C, SIGTERM or an error):
  * Debian packages, only those missing, with apt-get as root (`apt-get update` once first):
    haproxy, nginx, libnginx-mod-stream, golang-go, gcc. Service start is blocked during the
    install (policy-rc.d) and boot start is disabled again for the packages it installed.
  * the drivers and the backend from the tools folder (default ../shared/tools next to the repo),
    built into a temporary folder: rawload (`go build`, standard library only, GOPROXY=off),
    cload and cecho (`gcc -O2`);
  * the netkit CLI jar, when it is missing (`./netkit --help` builds it);
  * three cecho backends (1 thread each) on 127.0.0.1, and in front of them, each round robin over
    the three, no logging, no health checks (configs as ../shared/research/baselines.md Appendix A):
    HAProxy (nbthread 1 and 2), nginx stream (worker_processes 1 and 2) and
    `netkit gateway --config FILE` with one `protocol: tcp` listener and `health: { enabled: false }`
    (the gateway checks health by default; the proxies here run without checks, so it is off for
    parity). The gateway runs with the launcher's JVM flags (scripts/find-jdk.sh NETKIT_JVM_FLAGS).
    Optional target netkit-2t: the same with -XX:ActiveProcessorCount=4, i.e. 2 event loops.
    Optional target netkit-uring: the same on io_uring (the file's io: { transport: io_uring }).

What it measures: for every cell (driver, connections x depth, 64-byte payloads) and target
(direct = one cecho backend, or a proxy), in a target order rotated per repetition:
  * req/s and p50/p99 as the driver reports them (rawload: Go, one frame per syscall;
    cload: C, batched writes), after a warm-up the driver does not count;
  * CPU of the proxy process (utime+stime of /proc/PID/stat, nginx master and workers summed,
    JVM threads included) between two snapshots inside the measured window, as µs per request;
    also the backends' and the driver's CPU, machine steal, and CPU used by untracked processes.
    A run with steal >= 10 % or untracked CPU >= 0.15 cores is discarded and repeated once (the
    second attempt is kept, flagged as noisy when it is noisy too).
Prints a Markdown table: per cell and target, median req/s (range), paired ratio ÷ direct
(median, range), p50, p99, proxy CPU per request; then a verdict per cell: netkit ÷ direct against
the better of HAProxy and nginx (each at its better thread count) and against their mean
(issue 11: goal ahead of both, floor at least their mean). Raw runs go to
bench-results/l4-*.jsonl. Loopback only; every process started is stopped by its PID.
"""
import argparse, json, os, re, shutil, signal, socket, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAR = os.path.join(ROOT, "netkit-cli", "target", "netkit.jar")
PACKAGES = {"haproxy": "/usr/sbin/haproxy", "nginx": "/usr/sbin/nginx",
            "libnginx-mod-stream": "/usr/lib/nginx/modules/ngx_stream_module.so",
            "golang-go": None, "gcc": None}
HZ = os.sysconf("SC_CLK_TCK")
PAYLOAD = 64

ALL_TARGETS = ["direct", "haproxy-1t", "haproxy-2t", "nginx-1w", "nginx-2w", "netkit", "netkit-2t", "netkit-uring"]
DEFAULT_TARGETS = ["direct", "haproxy-1t", "haproxy-2t", "nginx-1w", "nginx-2w", "netkit"]
CELLS = {  # name: driver, connections, depth
    "rawload-1x1": ("rawload", 1, 1),
    "rawload-16x1": ("rawload", 16, 1),
    "rawload-16x16": ("rawload", 16, 16),
    "rawload-64x1": ("rawload", 64, 1),
    "cload-16x16": ("cload", 16, 16),
}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------- set-up

def installed(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True)
    return r.returncode == 0 and "install ok installed" in r.stdout


def install_packages():
    missing = [p for p in PACKAGES if not installed(p)]
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit(f"missing Debian packages {missing}: run as root, or install them and use --no-install")
    log(f"installing {' '.join(missing)} ...")
    policy = "/usr/sbin/policy-rc.d"
    own_policy = not os.path.exists(policy)
    if own_policy:  # never let the packages start their services (nginx would bind :80)
        with open(policy, "w") as f:
            f.write("#!/bin/sh\nexit 101\n")
        os.chmod(policy, 0o755)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends"] + missing, check=True, env=env,
                       stdout=subprocess.DEVNULL)
    finally:
        if own_policy:
            os.remove(policy)
    for svc in ("haproxy", "nginx"):
        if svc in missing and shutil.which("update-rc.d"):
            subprocess.run(["update-rc.d", svc, "disable"], capture_output=True)
    for pkg, path in PACKAGES.items():
        if path and not os.path.exists(path):
            sys.exit(f"{pkg}: {path} missing after install")


def build_tools(src, dst):
    for f in ("cecho.c", "cload.c", "rawload/main.go"):
        if not os.path.exists(os.path.join(src, f)):
            sys.exit(f"tools folder {src} has no {f} (use --tools DIR)")
    subprocess.run(["gcc", "-O2", "-pthread", "-o", f"{dst}/cecho", f"{src}/cecho.c"], check=True)
    subprocess.run(["gcc", "-O2", "-o", f"{dst}/cload", f"{src}/cload.c"], check=True)
    gosrc = f"{dst}/rawload-src"
    shutil.copytree(f"{src}/rawload", gosrc)
    env = {**os.environ, "GOFLAGS": "-mod=mod", "GOPROXY": "off", "GOCACHE": f"{dst}/gocache",
           "GOPATH": f"{dst}/gopath", "CGO_ENABLED": "0", "GOTOOLCHAIN": "local"}
    subprocess.run(["go", "build", "-o", f"{dst}/rawload", "."], cwd=gosrc, check=True, env=env)
    shutil.rmtree(gosrc, ignore_errors=True)
    shutil.rmtree(f"{dst}/gocache", ignore_errors=True)
    subprocess.run(["chmod", "-R", "u+w", f"{dst}/gopath"], capture_output=True)
    shutil.rmtree(f"{dst}/gopath", ignore_errors=True)


def ensure_jar():
    if not os.path.exists(JAR):
        log("building the netkit CLI (./netkit --help) ...")
        subprocess.run([os.path.join(ROOT, "netkit"), "--help"], check=True, stdout=subprocess.DEVNULL)


def java():
    """The java binary and the flags the ./netkit launcher uses, and the JDK's version line."""
    out = subprocess.run(["bash", "-c", f". '{ROOT}/scripts/find-jdk.sh' && netkit_find_jdk && echo $JAVA_HOME && echo $NETKIT_JVM_FLAGS"],
                         capture_output=True, text=True, check=True).stdout.strip().splitlines()
    jbin = os.path.join(out[0], "bin", "java")
    ver = subprocess.run([jbin, "-version"], capture_output=True, text=True).stderr.strip().splitlines()
    return [jbin] + (out[1].split() if len(out) > 1 else []), " / ".join(ver[:2])


# ---------------------------------------------------------------------------------- proxy configs

def haproxy_cfg(port, threads, backends, pidfile):
    servers = "\n".join(f"    server b{i + 1} 127.0.0.1:{p}" for i, p in enumerate(backends))
    return f"""global
    nbthread {threads}
    maxconn 9000
    pidfile {pidfile}

defaults
    mode tcp
    timeout connect 5s
    timeout client  60s
    timeout server  60s

listen echo_l4
    bind 127.0.0.1:{port}
    mode tcp
    balance roundrobin
    maxconn 9000
{servers}
"""


def nginx_conf(port, workers, backends, d):
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in backends)
    return f"""load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes {workers};
worker_rlimit_nofile 18000;
pid {d}/nginx-{workers}w.pid;
error_log {d}/nginx-{workers}w-error.log warn;

events {{
    worker_connections 8192;
}}

stream {{
    upstream echo_backends {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        proxy_pass echo_backends;
        proxy_connect_timeout 5s;
        proxy_timeout 60s;
    }}
}}
"""


def netkit_yaml(port, backends, transport="auto"):
    eps = ", ".join(f'"127.0.0.1:{p}"' for p in backends)
    return f"""listeners:
  - name: l4
    bind: 127.0.0.1:{port}
    protocol: tcp
    cluster: echo
    lb: round-robin
    connect_timeout: 5s
    idle_timeout: 60s
    max_connections: 9000
clusters:
  - name: echo
    endpoints: [ {eps} ]
    lb: round-robin
    health: {{ enabled: false }}   # the HAProxy and nginx configs run without checks too
io: {{ transport: {transport} }}
"""


# --------------------------------------------------------------------------------------- processes

STARTED = []  # every Proc, registered as soon as its process exists, stopped in main's finally


class Proc:
    """One started process (and, for nginx, its workers), stopped by PID."""

    def __init__(self, name, argv, port, logdir, listening_line=False):
        self.name, self.port = name, port
        self.err = open(os.path.join(logdir, f"{name}.log"), "w")
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE if listening_line else subprocess.DEVNULL,
                                     stderr=self.err, text=True, start_new_session=True)
        STARTED.append(self)
        if listening_line:
            line = self.proc.stdout.readline()
            if not re.search(r"listening \S+ on 127\.0\.0\.1:%d" % port, line):
                raise RuntimeError(f"{name}: unexpected first line {line!r} (see {self.err.name})")
        deadline = time.time() + 20
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {self.proc.returncode} (see {self.err.name})")
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError(f"{name}: nothing listening on {port}")
                time.sleep(0.1)
        time.sleep(0.2)

    def pids(self):
        """The process and its direct children (nginx workers); threads are in the process's stat."""
        root = self.proc.pid
        out = [root]
        try:
            for ent in os.listdir("/proc"):
                if ent.isdigit():
                    try:
                        with open(f"/proc/{ent}/stat") as f:
                            st = f.read()
                        if int(st[st.rindex(")") + 2:].split()[1]) == root:
                            out.append(int(ent))
                    except (OSError, ValueError):
                        pass
        except OSError:
            pass
        return out

    def stop(self):
        kids = self.pids()[1:]
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for pid in kids:  # nginx workers exit with their master; make sure
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.err.close()


def proc_ticks(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                st = f.read()
            fields = st[st.rindex(")") + 2:].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, ValueError, IndexError):
            pass
    return total


def ctx_switches(pids):
    """Voluntary (sleeps, e.g. in epoll_wait) and involuntary context switches of every thread."""
    vol = invol = 0
    for pid in pids:
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{pid}/task/{tid}/status") as f:
                    for line in f:
                        if line.startswith("voluntary_ctxt_switches"):
                            vol += int(line.split()[1])
                        elif line.startswith("nonvoluntary_ctxt_switches"):
                            invol += int(line.split()[1])
            except (OSError, ValueError):
                pass
    return vol, invol


def machine_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = v[:8]
    return {"busy": user + nice + system + irq + softirq, "steal": steal,
            "total": user + nice + system + idle + iowait + irq + softirq + steal}


def go_us(s):
    m = re.match(r"([\d.]+)(ns|µs|us|ms|s)$", s)
    return float(m.group(1)) * {"ns": 1e-3, "µs": 1, "us": 1, "ms": 1e3, "s": 1e6}[m.group(2)]


def drive(tools, driver, port, c, d, secs, warm, tracked):
    """Runs one load; returns the driver's figures and the CPU split inside the measured window."""
    if driver == "rawload":
        argv = [f"{tools}/rawload", "-addr", f"127.0.0.1:{port}", "-conns", str(c), "-depth", str(d),
                "-size", str(PAYLOAD), "-duration", f"{secs}s", "-warmup", f"{int(warm * 1000)}ms"]
    else:
        argv = [f"{tools}/cload", "-a", "127.0.0.1", "-p", str(port), "-c", str(c), "-d", str(d),
                "-s", str(PAYLOAD), "-w", str(int(warm * 1000)), "-T", str(int(secs * 1000))]
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    snaps = []
    try:
        # two snapshots inside the measured window (connect + warm-up first, margin at the end)
        for at in (warm + 0.25 + 0.05 * secs, warm + secs - 0.1 * secs):
            time.sleep(max(0, t0 + at - time.monotonic()))
            groups = {k: proc_ticks(v) for k, v in tracked.items()}
            groups["driver"] = proc_ticks([p.pid])
            cs = ctx_switches(tracked["proxy"]) if "proxy" in tracked else (0, 0)
            snaps.append((time.monotonic(), groups, machine_ticks(), cs))
        out, err = p.communicate(timeout=secs + warm + 30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    (ta, ga, ma, ca), (tb, gb, mb, cb) = snaps
    wall = tb - ta
    cores = {k: (gb[k] - ga[k]) / HZ / wall for k in ga}
    mtot = mb["total"] - ma["total"]
    busy_cores = (mb["busy"] - ma["busy"]) / HZ / wall
    r = {"cores": cores, "steal_pct": 100.0 * (mb["steal"] - ma["steal"]) / max(1, mtot),
         "untracked_cores": busy_cores - sum(cores.values()), "busy_cores": busy_cores,
         "proxy_cs_per_s": ((cb[0] - ca[0]) / wall, (cb[1] - ca[1]) / wall)}
    if driver == "rawload":
        m = re.search(r"ok=(\d+) bad=(\d+) throughput=([\d.]+)", out)
        lat = re.search(r"p50=(\S+) p90=\S+ p99=(\S+)", out)
        if not m or m.group(2) != "0" or p.returncode != 0:
            raise RuntimeError(f"rawload failed: {out} {err}")
        r.update(rps=float(m.group(3)), p50=go_us(lat.group(1)), p99=go_us(lat.group(2)))
    else:
        m = re.search(r"RESULT ok=(\d+) bad=(\d+) .*rps=([\d.]+) p50us=([\d.]+) p90us=[\d.]+ p99us=([\d.]+)", out)
        if not m or m.group(2) != "0" or p.returncode != 0:
            raise RuntimeError(f"cload failed: {out} {err}")
        r.update(rps=float(m.group(3)), p50=float(m.group(4)), p99=float(m.group(5)))
    return r


# ------------------------------------------------------------------------------------------ report

def fmt_rps(x):
    return f"{x / 1000:.1f}k" if x < 1e6 else f"{x / 1e6:.2f}M"


def fmt_us(x):
    return f"{x:.0f} µs" if x < 1000 else f"{x / 1000:.2f} ms"


def med_range(xs, f):
    return f"{f(statistics.median(xs))} ({f(min(xs))}–{f(max(xs))})"


def report(results, cells, targets):
    """results[(cell, target)] = list of runs (dicts with rep)."""
    lines = ["| cell (driver c×d) | target | n | req/s median (range) | ÷ direct, paired median (range) | p50 | p99 "
             "| proxy CPU/req | proxy cores |", "|---|---|---|---|---|---|---|---|---|"]
    ratios = {}
    for cell in cells:
        direct = {r["rep"]: r["rps"] for r in results.get((cell, "direct"), [])}
        for t in targets:
            rs = results.get((cell, t), [])
            if not rs:
                continue
            rps = [r["rps"] for r in rs]
            pr = [r["rps"] / direct[r["rep"]] for r in rs if r["rep"] in direct]
            ratios[(cell, t)] = pr
            ratio = "1" if t == "direct" else (med_range(pr, lambda x: f"{x:.2f}") if pr else "–")
            cpu = [r["cores"]["proxy"] / r["rps"] * 1e6 for r in rs if "proxy" in r["cores"]]
            cores = [r["cores"]["proxy"] for r in rs if "proxy" in r["cores"]]
            flag = "†" if any(r.get("noisy") for r in rs) else ""
            lines.append(f"| {cell} | {t}{flag} | {len(rs)} | {med_range(rps, fmt_rps)} | "
                         f"{'**' + ratio + '**' if t.startswith('netkit') else ratio} | "
                         f"{fmt_us(statistics.median(r['p50'] for r in rs))} | {fmt_us(statistics.median(r['p99'] for r in rs))} | "
                         f"{f'{statistics.median(cpu):.1f} µs' if cpu else '–'} | "
                         f"{f'{statistics.median(cores):.2f}' if cores else '–'} |")
    lines.append("")
    lines.append("| cell | netkit target ÷ direct | HAProxy best ÷ direct | nginx best ÷ direct | max / mean of the two | "
                 "netkit ÷ best proxy, paired | goal (> max) | floor (≥ mean) |")
    lines.append("|---|---|---|---|---|---|---|---|")
    verdicts = []
    for cell, nkt in [(c, t) for t in targets if t.startswith("netkit") for c in cells]:
        nk = ratios.get((cell, nkt))
        if not nk:
            continue
        best = {}
        for fam in ("haproxy", "nginx"):
            cand = [(statistics.median(ratios[(cell, t)]), t) for t in targets
                    if t.startswith(fam) and ratios.get((cell, t))]
            if cand:
                best[fam] = max(cand)
        if len(best) < 2:
            continue
        (h, ht), (n, nt) = best["haproxy"], best["nginx"]
        k = statistics.median(nk)
        mx, mean = max(h, n), (h + n) / 2
        bt = ht if h >= n else nt
        bmap = {r["rep"]: r["rps"] for r in results[(cell, bt)]}
        pair = [r["rps"] / bmap[r["rep"]] for r in results[(cell, nkt)] if r["rep"] in bmap]
        goal = "met" if k > mx else "not met"
        floor = "met" if k >= mean else "not met"
        lines.append(f"| {cell} | {nkt} {k:.2f} | {h:.2f} ({ht}) | {n:.2f} ({nt}) | {mx:.2f} / {mean:.2f} | "
                     f"{med_range(pair, lambda x: f'{x:.2f}')} ({bt}) | {goal} | {floor} |")
        verdicts.append(f"* {cell}: {nkt} {k:.2f} × direct against max {mx:.2f} ({bt}) and mean {mean:.2f}: "
                        f"goal {goal}, floor {floor}; netkit ÷ {bt} paired {med_range(pair, lambda x: f'{x:.2f}')}.")
    lines.append("")
    lines += verdicts
    if any(r.get("noisy") for rs in results.values() for r in rs):
        lines.append("")
        lines.append("† includes a run kept after 2 noisy attempts (steal ≥ 10 % or untracked CPU ≥ 0.15 cores).")
    return "\n".join(lines)


def cpu_table(results, cells, targets):
    lines = ["| cell | target | backends | proxy | driver | untracked | backend CPU/req | proxy CPU/req | driver CPU/req "
             "| proxy sleeps/req (voluntary ctx switches) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for cell in cells:
        for t in targets:
            rs = results.get((cell, t), [])
            if not rs:
                continue
            def m(key):
                return statistics.median(r["cores"].get(key, 0.0) for r in rs)
            def per(key):
                return statistics.median(r["cores"].get(key, 0.0) / r["rps"] * 1e6 for r in rs)
            proxy_cores = f"{m('proxy'):.2f}" if t != "direct" else "–"
            proxy_per = f"{per('proxy'):.1f} µs" if t != "direct" else "–"
            sleeps = (f"{statistics.median(r['proxy_cs_per_s'][0] / r['rps'] for r in rs):.2f}"
                      if t != "direct" and all("proxy_cs_per_s" in r for r in rs) else "–")
            lines.append(f"| {cell} | {t} | {m('backends'):.2f} | {proxy_cores} | {m('driver'):.2f} | "
                         f"{statistics.median(r['untracked_cores'] for r in rs):.2f} | {per('backends'):.1f} µs | "
                         f"{proxy_per} | {per('driver'):.1f} µs | {sleeps} |")
    return "\n".join(lines)


# -------------------------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tools", default=os.path.join(os.path.dirname(ROOT), "shared", "tools"),
                    help="folder with rawload/, cload.c, cecho.c (default: ../shared/tools next to the repo)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--warmup", type=float, default=1)
    ap.add_argument("--targets", default=",".join(DEFAULT_TARGETS))
    ap.add_argument("--cells", default=",".join(CELLS))
    ap.add_argument("--base-port", type=int, default=19700)
    ap.add_argument("--md", help="also write the Markdown tables to this file")
    ap.add_argument("--max-minutes", type=float, default=30, help="no repetition starts after this")
    ap.add_argument("--no-install", action="store_true")
    a = ap.parse_args()
    targets = a.targets.split(",")
    cells = a.cells.split(",")
    for t in targets:
        if t not in ALL_TARGETS:
            sys.exit(f"unknown target {t}; known: {', '.join(ALL_TARGETS)}")
    for c in cells:
        if c not in CELLS:
            sys.exit(f"unknown cell {c}; known: {', '.join(CELLS)}")
    if "direct" not in targets:
        targets.insert(0, "direct")
    tools_src = os.path.abspath(a.tools)
    started = time.time()

    # SIGTERM/SIGHUP end the run through the finally blocks, as Ctrl-C does
    def _stop(signum, _frame):
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # one is enough; let cleanup finish
            signal.signal(s, signal.SIG_IGN)
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _stop)

    if not a.no_install:
        install_packages()
    ensure_jar()
    jv, jdk = java()
    tmp = tempfile.mkdtemp(prefix="bench-l4-")
    procs = {}
    results = {}
    os.makedirs(os.path.join(ROOT, "bench-results"), exist_ok=True)
    raw_path = os.path.join(ROOT, "bench-results", time.strftime("l4-%Y%m%d-%H%M%S.jsonl"))
    raw = open(raw_path, "w")
    try:
        build_tools(tools_src, tmp)
        bp = a.base_port
        backends = [bp + 1, bp + 2, bp + 3]
        lifetime = int(a.max_minutes * 60 + 600)
        for i, p in enumerate(backends):
            procs[f"cecho-{i + 1}"] = Proc(f"cecho-{i + 1}", [f"{tmp}/cecho", "-a", "127.0.0.1", "-p", str(p), "-t", "1",
                                                             "-d", str(lifetime)], p, tmp)
        ports = {"direct": backends[0]}
        configs = {}
        for t in targets:
            if t == "direct":
                continue
            port = bp + 10 + ALL_TARGETS.index(t)
            ports[t] = port
            if t.startswith("haproxy"):
                cfg = os.path.join(tmp, f"{t}.cfg")
                configs[t] = haproxy_cfg(port, int(t[-2]), backends, os.path.join(tmp, f"{t}.pid"))
                argv = ["haproxy", "-f", cfg, "-db"]
                listening = False
            elif t.startswith("nginx"):
                cfg = os.path.join(tmp, f"{t}.conf")
                configs[t] = nginx_conf(port, int(t[-2]), backends, tmp)
                argv = ["nginx", "-c", cfg, "-p", tmp + "/", "-g", "daemon off;"]
                listening = False
            else:
                cfg = os.path.join(tmp, f"{t}.yaml")
                configs[t] = netkit_yaml(port, backends, "io_uring" if t == "netkit-uring" else "auto")
                extra = ["-XX:ActiveProcessorCount=4"] if t == "netkit-2t" else []
                argv = jv + extra + ["-jar", JAR, "gateway", "--config", cfg]
                listening = True
            with open(cfg, "w") as f:
                f.write(configs[t])
            procs[t] = Proc(t, argv, port, tmp, listening_line=listening)
            log(f"{t}: pid {procs[t].proc.pid} on 127.0.0.1:{port}")
        backend_pids = [procs[f"cecho-{i + 1}"].proc.pid for i in range(3)]
        meta = {"type": "meta", "jdk": jdk, "jvm": jv, "nproc": os.cpu_count(), "kernel": os.uname().release,
                "targets": targets, "cells": cells, "seconds": a.seconds, "warmup": a.warmup, "configs": configs,
                "versions": {"haproxy": subprocess.run(["haproxy", "-v"], capture_output=True, text=True).stdout.splitlines()[0],
                             "nginx": subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()}}
        raw.write(json.dumps(meta) + "\n")

        # unrecorded warm-up: JIT of the gateway, connection set-up paths of everyone
        log("warm-up (unrecorded) ...")
        for t in targets:
            for driver, c, d in (("cload", 16, 16), ("rawload", 64, 1)):
                drive(tmp, driver, ports[t], c, d, 2, 0.5, {})

        def tracked_for(t):
            g = {"backends": backend_pids}
            if t != "direct":
                g["proxy"] = procs[t].pids()
            return g

        for rep in range(a.reps):
            if rep > 0 and time.time() - started > a.max_minutes * 60:
                log(f"time budget reached: stopping after {rep} repetitions")
                break
            order = targets[rep % len(targets):] + targets[:rep % len(targets)]
            for cell in cells:
                driver, c, d = CELLS[cell]
                for t in order:
                    for attempt in range(2):
                        r = drive(tmp, driver, ports[t], c, d, a.seconds, a.warmup, tracked_for(t))
                        noisy = r["steal_pct"] >= 10 or r["untracked_cores"] >= 0.15
                        r.update(cell=cell, target=t, rep=rep, attempt=attempt, noisy=noisy)
                        raw.write(json.dumps(r) + "\n")
                        raw.flush()
                        pc = r["cores"].get("proxy")
                        log(f"rep {rep + 1} {cell:14s} {t:10s} {r['rps']:>10,.0f} req/s  p50 {r['p50']:8.0f}us  "
                            f"p99 {r['p99']:8.0f}us  proxy {pc if pc is not None else 0:.2f} cores  "
                            f"steal {r['steal_pct']:.1f}%  untracked {r['untracked_cores']:.2f}" + ("  NOISY" if noisy else ""))
                        if not noisy:
                            break
                    results.setdefault((cell, t), []).append(r)
    finally:
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        for p in reversed(STARTED):
            try:
                p.stop()
            except Exception as e:  # keep stopping the others
                log(f"stopping {p.name} (pid {p.proc.pid}): {e}")
        raw.close()
        shutil.rmtree(tmp, ignore_errors=True)
        log(f"stopped {len(STARTED)} processes; raw runs in {raw_path}")

    if not results:
        return
    out = [f"Machine: nproc {os.cpu_count()}, kernel {os.uname().release}, JDK {jdk}; "
           f"{a.seconds:g} s measured after {a.warmup:g} s warm-up, 64-byte payloads; "
           f"elapsed {(time.time() - started) / 60:.1f} min.", "",
           report(results, cells, targets), "", "CPU split (medians; cores, 1.0 = one vCPU):", "",
           cpu_table(results, cells, targets)]
    text = "\n".join(out)
    print(text)
    if a.md:
        with open(a.md, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
