package dev.netkit.cli.load.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where a report file goes: checked before the run (so a typo costs no run), written to a
 * temporary file in the same directory and moved over the target at the end, so a reader never
 * sees half a file and a failed run leaves the previous one in place.
 */
public final class ReportFile {
    private ReportFile() {}

    /**
     * Checks that {@code file} can be written: its directory exists and is writable, and it is not
     * itself a directory.
     *
     * @param option the option naming it, for the message
     * @return the absolute path
     * @throws IllegalArgumentException saying what is wrong, naming the option and the path
     */
    public static Path check(String option, Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        Path dir = absolute.getParent();
        if (dir == null || Files.isDirectory(absolute)) {
            throw new IllegalArgumentException(option + " " + file + ": is a directory (expected a file to write)");
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(option + " " + file + ": directory " + dir + " does not exist");
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException(option + " " + file + ": directory " + dir + " is not writable");
        }
        if (Files.exists(absolute) && !Files.isWritable(absolute)) {
            throw new IllegalArgumentException(option + " " + file + ": exists and is not writable");
        }
        return absolute;
    }

    /** A new empty temporary file next to {@code file} (same directory, so the final move is a rename). */
    static Path temporaryFor(Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        return Files.createTempFile(absolute.getParent(), "." + absolute.getFileName() + ".", ".tmp");
    }

    /** Moves {@code temp} over {@code file}: atomically where the file system can. */
    static void moveIntoPlace(Path temp, Path file) throws IOException {
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Writes {@code text} in UTF-8 to {@code file} through a temporary file. */
    public static void writeString(Path file, String text) throws IOException {
        Path temp = temporaryFor(file);
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            moveIntoPlace(temp, file);
        } finally {
            Files.deleteIfExists(temp); // gone already when moved
        }
    }
}
