package dev.netkit.cli.load.report;

import dev.netkit.cli.load.LoadPlan;
import dev.netkit.cli.load.LoadResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * The files a load run was asked to leave ({@code --html}, {@code --hdr}): checked when built,
 * the interval log started before the run and fed during it, everything moved into place after.
 */
public final class ReportFiles {
    private final Path html;
    private final Path hdr;
    private HdrIntervalLog hdrLog;

    private ReportFiles(Path html, Path hdr) {
        this.html = html;
        this.hdr = hdr;
    }

    /** No file. */
    public static ReportFiles none() {
        return new ReportFiles(null, null);
    }

    /**
     * The files of {@code --html} and {@code --hdr}, either may be null.
     *
     * @throws IllegalArgumentException when one cannot be written (see {@link ReportFile#check})
     */
    public static ReportFiles of(Path html, Path hdr) {
        Path h = html == null ? null : ReportFile.check("--html", html);
        Path l = hdr == null ? null : ReportFile.check("--hdr", hdr);
        if (h != null && h.equals(l)) {
            throw new IllegalArgumentException("--html and --hdr: both " + html + " (expected two files)");
        }
        return new ReportFiles(h, l);
    }

    /** Before the run: starts the interval log's temporary file. */
    public void open() throws IOException {
        if (hdr != null) {
            hdrLog = HdrIntervalLog.open(hdr);
        }
    }

    /** What the load generator gives each second's latency histogram to. */
    public Consumer<Histogram> intervals() {
        HdrIntervalLog log = hdrLog;
        return log == null ? interval -> { } : log;
    }

    /** After the run: writes the page, moves the log into place; returns the files written. */
    public List<Path> write(LoadPlan plan, String transport, LoadResult result) throws IOException {
        List<Path> written = new ArrayList<>();
        if (html != null) {
            ReportFile.writeString(html, HtmlReport.render(plan, transport, result));
            written.add(html);
        }
        if (hdrLog != null) {
            hdrLog.commit();
            hdrLog = null;
            written.add(hdr);
        }
        return written;
    }

    /** After a run that produced no report: removes the temporary files. */
    public void discard() {
        if (hdrLog != null) {
            hdrLog.discard();
            hdrLog = null;
        }
    }
}
