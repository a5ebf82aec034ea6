package dev.netkit.cli;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;

/**
 * One in-process run of the CLI with its stdout and stderr captured through picocli's
 * {@code setOut}/{@code setErr}, bounded in time.
 *
 * @param exitCode what {@code execute} returned (the process exit status of {@code netkit})
 * @param out      everything written to the command's stdout
 * @param err      everything written to the command's stderr
 * @param took     wall time of the run
 */
record CliRun(int exitCode, String out, String err, Duration took) {

    /** Runs {@code netkit args...}; fails the test if it does not return within {@code limit}. */
    static CliRun execute(Duration limit, String... args) {
        return execute(limit, new StringWriter(), args);
    }

    /**
     * Runs {@code netkit args...} with its stderr going to {@code err}, which the caller may read
     * while it runs (for instance to act on progress lines); fails the test if it does not return
     * within {@code limit}.
     */
    static CliRun execute(Duration limit, StringWriter err, String... args) {
        StringWriter out = new StringWriter(); // StringWriter is synchronized: progress comes from a timer thread
        CommandLine cli = NetkitCommand.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        long start = System.nanoTime();
        int code = assertTimeoutPreemptively(limit, () -> cli.execute(args),
                () -> "netkit " + String.join(" ", args) + " did not finish within " + limit
                        + "\nstdout so far:\n" + out + "\nstderr so far:\n" + err);
        return new CliRun(code, out.toString(), err.toString(), Duration.ofNanos(System.nanoTime() - start));
    }

    List<String> outLines() {
        return out.lines().toList();
    }

    /** The last stdout line, or the empty string when nothing was printed. */
    String lastOutLine() {
        List<String> lines = outLines();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    /** For assertion messages. */
    String describe() {
        return "exit " + exitCode + " after " + took.toMillis() + " ms\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
    }
}
