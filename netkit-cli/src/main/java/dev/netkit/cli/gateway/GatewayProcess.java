package dev.netkit.cli.gateway;

import dev.netkit.gateway.Gateway;
import dev.netkit.gateway.GatewayException;
import dev.netkit.gateway.admin.AdminServer;
import dev.netkit.gateway.config.ConfigException;
import dev.netkit.gateway.config.GatewayConfig;
import dev.netkit.gateway.config.ListenerConfig;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * {@code netkit gateway --config FILE} as a process: starts the gateway, prints one
 * {@code listening NAME on HOST:PORT} line per listener on stdout (the first lines, a contract for
 * tooling), reloads the file on SIGHUP (an invalid file is reported on stderr and the running
 * configuration stays), and on SIGTERM or SIGINT drains (stops accepting, finishes what is in
 * flight) and exits 0. The admin endpoint ({@link AdminServer}: stats, clusters, config, metrics,
 * {@code POST /reload} and {@code /drain}) runs beside it on the file's {@code admin.bind}.
 *
 * <p>Reloads run one at a time on their own thread; a SIGHUP that arrives while one is running is
 * merged into one more reload after it (a SIGHUP storm costs at most two reloads in a row).
 */
public final class GatewayProcess implements AutoCloseable {
    private static final Duration TCP_DRAIN = Duration.ofSeconds(10);

    private final Path file;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Gateway gateway;
    private AdminServer admin;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final ExecutorService reloader = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "netkit-gateway-reload");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean reloadPending = new AtomicBoolean();

    private GatewayProcess(Path file, Gateway gateway, PrintWriter out, PrintWriter err) {
        this.file = file;
        this.gateway = gateway;
        this.out = out;
        this.err = err;
    }

    /**
     * Starts the gateway described by {@code config}.
     *
     * @throws GatewayException when a listener cannot bind (nothing is left running)
     */
    public static GatewayProcess start(Path file, GatewayConfig config, PrintWriter out, PrintWriter err) {
        GatewayProcess process = new GatewayProcess(file, Gateway.start(config), out, err);
        try {
            process.admin = AdminServer.start(process.gateway, process::reload, process::requestStop);
        } catch (RuntimeException e) {
            process.gateway.close();
            throw e;
        }
        return process;
    }

    public Gateway gateway() {
        return gateway;
    }

    /** Installs the signal handlers, announces the listeners, and waits for a stop; returns the exit code. */
    public int run() throws InterruptedException {
        handle("TERM", this::requestStop);
        handle("INT", this::requestStop);
        handle("HUP", this::requestReload);
        for (ListenerConfig l : gateway.config().listeners()) {
            InetSocketAddress a = gateway.address(l.name());
            out.println("listening " + l.name() + " on " + l.bind().host() + ":" + a.getPort());
        }
        out.flush();
        err.println("netkit gateway: " + gateway.config().listeners().size() + " listener(s), "
                + gateway.config().clusters().size() + " cluster(s); admin on " + admin.uri()
                + "; reload with SIGHUP, stop with SIGTERM or Ctrl-C");
        err.flush();
        stopRequested.await();
        close();
        err.println("netkit gateway: stopped");
        err.flush();
        return 0;
    }

    /** Drains the gateway ({@code /ready} says 503 meanwhile), then stops the admin server and the reload thread. */
    @Override
    public void close() {
        gateway.drainAndClose(TCP_DRAIN);
        admin.close();
        reloader.shutdownNow();
    }

    /** Asks the process to drain and exit 0 (SIGTERM, SIGINT, the admin's drain). */
    public void requestStop() {
        stopRequested.countDown();
    }

    /** Re-reads the file and applies it, on the reload thread; storms are merged. */
    public void requestReload() {
        if (reloadPending.compareAndSet(false, true)) {
            reloader.execute(() -> {
                reloadPending.set(false);
                reloadNow();
            });
        }
    }

    /**
     * Re-reads the file and applies it now.
     *
     * @return what happened, one line
     * @throws ConfigException  when the file is invalid (the running configuration stays)
     * @throws GatewayException when it cannot be applied (the running configuration stays)
     */
    public synchronized String reload() {
        GatewayConfig next = GatewayConfig.load(file);
        gateway.reload(next);
        return "reloaded " + file + ": " + next.listeners().size() + " listener(s), " + next.clusters().size() + " cluster(s)";
    }

    private void reloadNow() {
        try {
            err.println("netkit gateway: " + reload());
        } catch (ConfigException | GatewayException e) {
            err.println("netkit gateway: reload rejected, the running configuration stays: " + e.getMessage());
        } catch (RuntimeException e) {
            err.println("netkit gateway: reload failed, the running configuration stays: " + e);
        }
        err.flush();
    }

    private static void handle(String signal, Runnable action) {
        try {
            Signal.handle(new Signal(signal), s -> action.run());
        } catch (IllegalArgumentException e) {
            // not available here (e.g. -Xrs, or a signal ignored by the parent); the others still work
        }
    }
}
