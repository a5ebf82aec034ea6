package dev.netkit.cli.load.report;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * The {@code --hdr} file: HdrHistogram's interval log (the {@link HistogramLogWriter} format read
 * by {@code HistogramLogProcessor}, {@code HistogramLogReader} and the HdrHistogram plotters),
 * one histogram of latencies in nanoseconds per second of the measured window. Written to a
 * temporary file as the run goes (a few kilobytes a second, nothing kept in memory), moved into
 * place by {@link #commit()}.
 *
 * <p>{@link #accept} runs on the load generator's timer thread, the rest on the command's thread.
 */
public final class HdrIntervalLog implements Consumer<Histogram> {
    private final Path file;
    private final Path temp;
    private final PrintStream out;
    private final HistogramLogWriter writer;
    private boolean headerWritten;
    private boolean closed;
    private long intervals;

    private HdrIntervalLog(Path file, Path temp, PrintStream out) {
        this.file = file;
        this.temp = temp;
        this.out = out;
        this.writer = new HistogramLogWriter(out);
    }

    /** Starts the log of {@code file} in a temporary file next to it. */
    public static HdrIntervalLog open(Path file) throws IOException {
        Path temp = ReportFile.temporaryFor(file);
        PrintStream out = new PrintStream(new BufferedOutputStream(Files.newOutputStream(temp)), false, StandardCharsets.US_ASCII);
        return new HdrIntervalLog(file, temp, out);
    }

    /** Appends one interval, with the header first; its start and end timestamps (ms since the epoch) place it. */
    @Override
    public synchronized void accept(Histogram interval) {
        if (closed) {
            return;
        }
        if (!headerWritten) {
            long start = interval.getStartTimeStamp();
            writer.outputComment("netkit load: latency of verified requests in nanoseconds, one interval per second");
            writer.outputLogFormatVersion();
            writer.outputStartTime(start);
            writer.setBaseTime(start);
            writer.outputBaseTime(start);
            writer.outputLegend();
            headerWritten = true;
        }
        writer.outputIntervalHistogram(interval);
        intervals++;
    }

    /** Intervals written so far. */
    public synchronized long intervals() {
        return intervals;
    }

    /** Closes the log and moves it over the file. */
    public synchronized void commit() throws IOException {
        closed = true;
        writer.close();
        if (out.checkError()) {
            Files.deleteIfExists(temp);
            throw new IOException("writing " + temp + " failed");
        }
        ReportFile.moveIntoPlace(temp, file);
    }

    /** Closes and deletes the temporary file (the run produced nothing to report); never throws. */
    public synchronized void discard() {
        closed = true;
        writer.close();
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // a stray temporary file is all that is left
        }
    }
}
