#!/usr/bin/env python3
"""TLS benchmark (issue 12, "Measure"): what TLS costs `netkit serve` under `netkit load`, OpenSSL
against the JDK, and the gateway's TLS termination side by side with HAProxy's.

Usage (as root on Debian 12; everything is started here and stopped at the end, also on Ctrl-C,
SIGTERM or an error):
  scripts/bench_tls.py [--parts serve,gateway] [--reps 5] [--seconds 5] [--warmup 2]
                       [--sizes 64,4096] [--tools ../shared/tools] [--md OUT.md] [--no-install]
  Smoke test: scripts/bench_tls.py --reps 1 --seconds 1 --warmup 1

Part "serve": three `netkit serve` processes (one I/O thread each, the default on 2 cores), on
127.0.0.1: plaintext; `--tls self-signed --tls-provider openssl`; `--tls self-signed
--tls-provider jdk`. Driver: `netkit load` 16 connections x depth 16 (a fresh JVM per run,
warm-up not counted), against the TLS servers with `--tls --tls-pin SHA256 --tls-provider P`
(the same provider as the server). Payloads --sizes. Ratio: TLS ÷ plaintext, paired per repetition.

Part "gateway": three cecho backends (1 thread each, ../shared/tools/cecho.c built with gcc), and
in front of them, round robin, no health checks, no logging:
  * haproxy-tls: HAProxy 2.6 (Debian; apt-get installed if missing) `mode tcp`, nbthread 1,
    `bind ... ssl crt PEM`;
  * netkit-tls: `netkit gateway` with one `protocol: tcp` listener with `tls: { mode: verified,
    certificate_chain, private_key, provider: openssl }`;
  * netkit-plain and haproxy-plain: the same without TLS (reference).
One EC P-256 certificate and key made with the openssl CLI serve both. Driver `netkit load --tls
--tls-insecure` (provider auto = OpenSSL) 16x16, 64-byte payloads; plain targets without --tls.
Ratio: netkit-tls ÷ haproxy-tls, paired per repetition.

Per run: req/s, p50/p99 (the driver's), CPU (utime+stime from /proc/PID/stat) of the server or
proxy, the backends and the driver between two snapshots inside the measured window, machine
steal, and CPU of every other process ("others"; e.g. a fuzzer at nice 19). Targets alternate
within each repetition (order rotated). Raw runs go to bench-results/tls-*.jsonl.
"""
import argparse, json, os, re, signal, socket, statistics, subprocess, sys, tempfile, time, shutil

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_l4 import (STARTED, Proc, proc_ticks, machine_ticks, java, ensure_jar, installed, log,  # noqa: E402
                      JAR, HZ)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def install_haproxy():
    missing = [p for p in ("haproxy", "gcc") if not installed(p)]
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit(f"missing Debian packages {missing}: run as root, or install them and use --no-install")
    policy = "/usr/sbin/policy-rc.d"
    own = not os.path.exists(policy)
    if own:
        with open(policy, "w") as f:
            f.write("#!/bin/sh\nexit 101\n")
        os.chmod(policy, 0o755)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends"] + missing, check=True,
                       env=env, stdout=subprocess.DEVNULL)
    finally:
        if own:
            os.remove(policy)
    if "haproxy" in missing and shutil.which("update-rc.d"):
        subprocess.run(["update-rc.d", "haproxy", "disable"], capture_output=True)


class Serve(Proc):
    """`netkit serve`: first stdout line `listening on HOST:PORT`, with self-signed TLS a second
    line `tls self-signed sha256 HEX`."""

    def __init__(self, name, argv, port, logdir, tls):
        self.name, self.port, self.pin = name, port, None
        self.err = open(os.path.join(logdir, f"{name}.log"), "w")
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.err, text=True, start_new_session=True)
        STARTED.append(self)
        boost(self.proc.pid)
        line = self.proc.stdout.readline()
        if f"listening on 127.0.0.1:{port}" not in line:
            raise RuntimeError(f"{name}: unexpected first line {line!r} (see {self.err.name})")
        if tls:
            m = re.match(r"tls self-signed sha256 ([0-9a-f]{64})", self.proc.stdout.readline())
            if not m:
                raise RuntimeError(f"{name}: no fingerprint line (see {self.err.name})")
            self.pin = m.group(1)
        deadline = time.time() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError(f"{name}: nothing listening on {port}")
                time.sleep(0.1)


AUTOGROUP_NICE = -10


def boost(pid):
    """Puts the process's autogroup at AUTOGROUP_NICE. With kernel.sched_autogroup_enabled=1 (as
    here) a process's own nice value only counts inside its session's autogroup, so a fuzzer at
    nice 19 in another session competes as an equal with every benchmark process; lowering the
    nice of the benchmark's own autogroups restores what nice 19 means. Nothing else is touched."""
    try:
        with open(f"/proc/{pid}/autogroup", "w") as f:
            f.write(str(AUTOGROUP_NICE))
    except OSError as e:
        log(f"autogroup nice of {pid}: {e}")


def all_ticks():
    """utime+stime of every process on the machine, by PID."""
    out = {}
    for ent in os.listdir("/proc"):
        if ent.isdigit():
            try:
                with open(f"/proc/{ent}/stat") as f:
                    st = f.read()
                fl = st[st.rindex(")") + 2:].split()
                out[int(ent)] = int(fl[11]) + int(fl[12])
            except (OSError, ValueError, IndexError):
                pass
    return out


def drive(jv, args, secs, warm, tracked):
    """One `netkit load` run: its JSON report and the CPU split inside the measured window."""
    argv = jv + ["-jar", JAR, "load"] + args + ["--duration", f"{secs}s", "--warmup", f"{warm}s", "--json"]
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    boost(p.pid)
    snaps = []
    try:
        # the JVM starts (~1 s) and connects before the warm-up; snapshots inside the measured window
        for at in (1.2 + warm + 0.3 + 0.05 * secs, 1.2 + warm + secs - 0.15 * secs):
            time.sleep(max(0, t0 + at - time.monotonic()))
            groups = {k: proc_ticks(v) for k, v in tracked.items()}
            groups["driver"] = proc_ticks([p.pid])
            snaps.append((time.monotonic(), groups, machine_ticks(), all_ticks()))
        out, err = p.communicate(timeout=secs + warm + 60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    (ta, ga, ma, aa), (tb, gb, mb, ab) = snaps
    wall = tb - ta
    cores = {k: (gb[k] - ga[k]) / HZ / wall for k in ga}
    mine = set(p for v in tracked.values() for p in v) | {p.pid}
    others = {}
    for pid, t in ab.items():
        if pid not in mine and pid in aa and t > aa[pid]:
            others[pid] = (t - aa[pid]) / HZ / wall
    top = sorted(others.items(), key=lambda kv: -kv[1])[:3]
    mtot = mb["total"] - ma["total"]
    try:
        j = json.loads(out.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        raise RuntimeError(f"netkit load {' '.join(args)} failed (exit {p.returncode}): {out[-500:]} {err[-1500:]}")
    if p.returncode != 0 or j.get("mismatched", 0) or j.get("errors", 0):
        raise RuntimeError(f"netkit load {' '.join(args)}: exit {p.returncode}, errors {j.get('errors')}, "
                           f"mismatched {j.get('mismatched')}: {err[-1500:]}")
    return {"rps": j["throughput_rps"], "p50": j["latency_us"]["p50"], "p99": j["latency_us"]["p99"],
            "cores": cores, "others_cores": sum(others.values()),
            "others_top": [[pid, round(c, 3), comm(pid)] for pid, c in top],
            "steal_pct": 100.0 * (mb["steal"] - ma["steal"]) / max(1, mtot),
            "busy_cores": (mb["busy"] - ma["busy"]) / HZ / wall}


def comm(pid):
    try:
        with open(f"/proc/{pid}/cmdline") as f:
            return f.read().replace("\0", " ")[:80]
    except OSError:
        return "?"


def haproxy_cfg(port, backends, pidfile, pem):
    servers = "\n".join(f"    server b{i + 1} 127.0.0.1:{p}" for i, p in enumerate(backends))
    ssl = f" ssl crt {pem}" if pem else ""
    return f"""global
    nbthread 1
    maxconn 9000
    pidfile {pidfile}
    tune.ssl.default-dh-param 2048

defaults
    mode tcp
    timeout connect 5s
    timeout client  60s
    timeout server  60s

listen echo_l4
    bind 127.0.0.1:{port}{ssl}
    mode tcp
    balance roundrobin
    maxconn 9000
{servers}
"""


def netkit_yaml(port, backends, cert, key):
    eps = ", ".join(f'"127.0.0.1:{p}"' for p in backends)
    tls = (f"\n    tls: {{ mode: verified, certificate_chain: {cert}, private_key: {key}, provider: openssl }}"
           if cert else "")
    return f"""listeners:
  - name: l4
    bind: 127.0.0.1:{port}
    protocol: tcp
    cluster: echo
    lb: round-robin
    connect_timeout: 5s
    idle_timeout: 60s
    max_connections: 9000{tls}
clusters:
  - name: echo
    endpoints: [ {eps} ]
    lb: round-robin
    health: {{ enabled: false }}
admin: {{ bind: "127.0.0.1:0" }}
"""


def med_range(xs, f):
    return f"{f(statistics.median(xs))} ({f(min(xs))}–{f(max(xs))})"


def fk(x):
    return f"{x / 1000:,.0f}k"


def table(results, cells, targets, base, label):
    """results[(cell, target)] = runs with 'rep'."""
    lines = [f"| cell | target | n | req/s median (range) | ÷ {base}, paired median (range) | p50 µs | p99 µs "
             "| server/proxy cores | driver cores | backends cores | others cores | server/proxy CPU µs/req |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for cell in cells:
        b = {r["rep"]: r["rps"] for r in results.get((cell, base), [])}
        for t in targets:
            rs = results.get((cell, t), [])
            if not rs:
                continue
            pr = [r["rps"] / b[r["rep"]] for r in rs if r["rep"] in b]
            ratio = "1" if t == base else (med_range(pr, lambda x: f"{x:.2f}") if pr else "–")
            def m(k):
                v = [r["cores"].get(k) for r in rs if r["cores"].get(k) is not None]
                return f"{statistics.median(v):.2f}" if v else "–"
            per = [r["cores"]["server"] / r["rps"] * 1e6 for r in rs if "server" in r["cores"]]
            lines.append(f"| {cell} | {t} | {len(rs)} | {med_range([r['rps'] for r in rs], fk)} | {ratio} | "
                         f"{statistics.median(r['p50'] for r in rs):.0f} | {statistics.median(r['p99'] for r in rs):.0f} | "
                         f"{m('server')} | {m('driver')} | {m('backends')} | "
                         f"{statistics.median(r['others_cores'] for r in rs):.2f} | "
                         f"{f'{statistics.median(per):.2f}' if per else '–'} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--parts", default="serve,gateway")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--warmup", type=float, default=2)
    ap.add_argument("--sizes", default="64,4096")
    ap.add_argument("--tools", default=os.path.join(os.path.dirname(ROOT), "shared", "tools"))
    ap.add_argument("--base-port", type=int, default=19800)
    ap.add_argument("--md")
    ap.add_argument("--no-install", action="store_true")
    a = ap.parse_args()
    parts = a.parts.split(",")
    sizes = [int(s) for s in a.sizes.split(",")]
    secs, warm = a.seconds, a.warmup
    started = time.time()

    def _stop(signum, _frame):
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _stop)

    if not a.no_install and "gateway" in parts:
        install_haproxy()
    ensure_jar()
    jv, jdk = java()
    tmp = tempfile.mkdtemp(prefix="bench-tls-")
    os.makedirs(os.path.join(ROOT, "bench-results"), exist_ok=True)
    raw_path = os.path.join(ROOT, "bench-results", time.strftime("tls-%Y%m%d-%H%M%S.jsonl"))
    raw = open(raw_path, "w")
    out = [f"Machine: nproc {os.cpu_count()}, kernel {os.uname().release}, JDK {jdk}; {secs:g} s measured after "
           f"{warm:g} s warm-up per `netkit load` run (fresh JVM), 16 connections × depth 16; every benchmark "
           f"process in an autogroup at nice {AUTOGROUP_NICE}."]
    bp = a.base_port
    try:
        raw.write(json.dumps({"type": "meta", "jdk": jdk, "jvm": jv, "nproc": os.cpu_count(),
                              "kernel": os.uname().release, "seconds": secs, "warmup": warm}) + "\n")

        def run_reps(cells, targets, make_args, tracked_for, base):
            results = {}
            for rep in range(a.reps):
                order = targets[rep % len(targets):] + targets[:rep % len(targets)]
                for cell in cells:
                    for t in order:
                        r = drive(jv, make_args(cell, t), secs, warm, tracked_for(t))
                        r.update(cell=cell, target=t, rep=rep)
                        raw.write(json.dumps(r) + "\n")
                        raw.flush()
                        log(f"rep {rep + 1} {cell:6} {t:14s} {r['rps']:>11,.0f} req/s p50 {r['p50']:6.0f} p99 "
                            f"{r['p99']:6.0f} us  server {r['cores'].get('server', 0):.2f} driver "
                            f"{r['cores']['driver']:.2f} others {r['others_cores']:.2f} steal {r['steal_pct']:.1f}%")
                        results.setdefault((cell, t), []).append(r)
            return results

        if "serve" in parts:
            servers = {}
            for i, (t, extra) in enumerate([("plain", []),
                                            ("tls-openssl", ["--tls", "self-signed", "--tls-provider", "openssl"]),
                                            ("tls-jdk", ["--tls", "self-signed", "--tls-provider", "jdk"])]):
                port = bp + i
                servers[t] = Serve(t, jv + ["-jar", JAR, "serve", "--host", "127.0.0.1", "--port", str(port)] + extra,
                                   port, tmp, tls=bool(extra))
                log(f"{t}: pid {servers[t].proc.pid} on {port}")
            targets = list(servers)

            def args_for(cell, t):
                s = servers[t]
                args = ["--target", f"127.0.0.1:{s.port}", "--connections", "16", "--depth", "16", "--size", cell]
                if s.pin:
                    args += ["--tls", "--tls-pin", s.pin, "--tls-provider", t.split("-")[1]]
                return args

            cells = [str(s) for s in sizes]
            log("warm-up (unrecorded) ...")
            for t in targets:
                for c in cells:
                    drive(jv, args_for(c, t), 2, 1, {"server": [servers[t].proc.pid]})
            res = run_reps(cells, targets, args_for, lambda t: {"server": [servers[t].proc.pid]}, "plain")
            out += ["", "Part serve: `netkit load` 16×16 → `netkit serve` (cell = payload bytes)", "",
                    table(res, cells, targets, "plain", "serve")]
            for s in servers.values():
                s.stop()
                STARTED.remove(s)

        if "gateway" in parts:
            cert, key, pem = (os.path.join(tmp, n) for n in ("cert.pem", "key.pem", "haproxy.pem"))
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                            "-nodes", "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                            "-keyout", key, "-out", cert], check=True, capture_output=True)
            with open(pem, "w") as f:
                f.write(open(cert).read() + open(key).read())
            subprocess.run(["gcc", "-O2", "-pthread", "-o", f"{tmp}/cecho", f"{a.tools}/cecho.c"], check=True)
            backends = [bp + 11, bp + 12, bp + 13]
            be = [Proc(f"cecho-{i}", [f"{tmp}/cecho", "-a", "127.0.0.1", "-p", str(p), "-t", "1", "-d", "3600"], p, tmp)
                  for i, p in enumerate(backends)]
            be_pids = [b.proc.pid for b in be]
            for pid in be_pids:
                boost(pid)
            procs, ports, configs = {}, {}, {}
            for i, t in enumerate(["netkit-tls", "haproxy-tls", "netkit-plain", "haproxy-plain"]):
                port = bp + 20 + i
                ports[t] = port
                tls = t.endswith("tls")
                if t.startswith("haproxy"):
                    path = os.path.join(tmp, f"{t}.cfg")
                    configs[t] = haproxy_cfg(port, backends, os.path.join(tmp, f"{t}.pid"), pem if tls else None)
                    argv, listening = ["haproxy", "-f", path, "-db"], False
                else:
                    path = os.path.join(tmp, f"{t}.yaml")
                    configs[t] = netkit_yaml(port, backends, cert if tls else None, key if tls else None)
                    argv, listening = jv + ["-jar", JAR, "gateway", "--config", path], True
                with open(path, "w") as f:
                    f.write(configs[t])
                procs[t] = Proc(t, argv, port, tmp, listening_line=listening)
                boost(procs[t].proc.pid)
                log(f"{t}: pid {procs[t].proc.pid} on {port}")
            raw.write(json.dumps({"type": "configs", "configs": configs,
                                  "haproxy": subprocess.run(["haproxy", "-v"], capture_output=True, text=True).stdout.splitlines()[0]}) + "\n")
            targets = list(procs)

            def gargs(cell, t):
                args = ["--target", f"127.0.0.1:{ports[t]}", "--connections", "16", "--depth", "16", "--size", cell]
                return args + (["--tls", "--tls-insecure"] if t.endswith("tls") else [])

            def gtracked(t):
                return {"server": procs[t].pids(), "backends": be_pids}

            log("warm-up (unrecorded) ...")
            for t in targets:
                drive(jv, gargs("64", t), 2, 1, gtracked(t))
            res = run_reps(["64"], targets, gargs, gtracked, "haproxy-tls")
            out += ["", "Part gateway: `netkit load [--tls --tls-insecure]` 16×16, 64 B → proxy → 3 cecho", "",
                    table(res, ["64"], targets, "haproxy-tls", "gateway")]
            for t in targets:
                out += ["", f"{t} config:", "", "```", configs[t].rstrip().replace(tmp, "$TMP"), "```"]
    finally:
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        for p in reversed(STARTED):
            try:
                p.stop()
            except Exception as e:
                log(f"stopping {p.name} (pid {p.proc.pid}): {e}")
        raw.close()
        shutil.rmtree(tmp, ignore_errors=True)
        log(f"stopped {len(STARTED)} processes; raw runs in {raw_path}")
    out.append(f"\nElapsed {(time.time() - started) / 60:.1f} min; raw runs in {os.path.relpath(raw_path, ROOT)}.")
    text = "\n".join(out)
    print(text)
    if a.md:
        with open(a.md, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
