package dev.netkit.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * How a long-running command ({@code serve}, {@code udp-serve}) stops: SIGTERM and SIGINT are
 * handled here rather than by a shutdown hook, because a JVM that shuts down on a signal exits
 * with 128+signal (143, 130) whatever the hook does, and a graceful stop must exit 0. Any other way
 * the JVM shuts down (SIGHUP, {@code System.exit} elsewhere) still runs the stop through a shutdown
 * hook. The stop (stop the server, print the last line) runs exactly once, whichever comes first.
 * A signal ignored at startup (SIGINT under {@code cmd &}) stays ignored.
 */
final class GracefulStop {
    private final CountDownLatch requested = new CountDownLatch(1);
    private final AtomicBoolean done = new AtomicBoolean();
    private final Runnable stopAndReport;

    private GracefulStop(Runnable stopAndReport) {
        this.stopAndReport = stopAndReport;
    }

    /** Installs the signal handlers and the shutdown hook (thread {@code hookName}). */
    static GracefulStop install(String hookName, Runnable stopAndReport) {
        GracefulStop stop = new GracefulStop(stopAndReport);
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), s -> stop.requested.countDown());
            } catch (IllegalArgumentException e) {
                // not available (e.g. -Xrs): the shutdown hook still stops and reports
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(stop::finish, hookName));
        return stop;
    }

    /** Waits for SIGTERM or SIGINT, then stops and reports (unless the shutdown hook already did). */
    void awaitAndStop() throws InterruptedException {
        requested.await();
        finish();
    }

    private void finish() {
        if (done.compareAndSet(false, true)) {
            stopAndReport.run();
        }
    }
}
