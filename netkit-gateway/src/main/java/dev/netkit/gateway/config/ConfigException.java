package dev.netkit.gateway.config;

import java.util.Objects;

/**
 * A gateway configuration file that cannot be used: malformed YAML, an unknown key, a value of the
 * wrong type or out of range, or an inconsistency (a duplicate name, a route to an unknown cluster
 * …). The message is one line, {@code FILE:LINE:COLUMN: PATH: PROBLEM}, for example
 * {@code gateway.yaml:12:5: clusters[0].lb: unknown value "round_robin"; allowed: round-robin, …}.
 * Only the first problem found is reported.
 */
public final class ConfigException extends RuntimeException {
    private final String file;
    private final int line;
    private final int column;
    private final String path;
    private final String problem;

    /**
     * @param file    the file's name as given to the parser
     * @param line    1-based line of the offending node (key or value); 0 when unknown
     * @param column  1-based column; 0 when unknown
     * @param path    the key path, e.g. {@code clusters[0].lb}; {@code ""} for the whole file
     * @param problem what is wrong, e.g. {@code unknown key; did you mean "endpoints"?}
     */
    public ConfigException(String file, int line, int column, String path, String problem) {
        super(format(file, line, column, path, problem));
        this.file = Objects.requireNonNull(file, "file");
        this.line = line;
        this.column = column;
        this.path = Objects.requireNonNull(path, "path");
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    private static String format(String file, int line, int column, String path, String problem) {
        String where = line > 0 ? file + ":" + line + ":" + column : file;
        return oneLine(where + ": " + (path.isEmpty() ? "" : path + ": ") + problem);
    }

    /** Keys and values from the file may hold line breaks and other controls: shown escaped, the message stays one line. */
    private static String oneLine(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || c == '\u0085') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    /** The file's name as given to the parser. */
    public String file() {
        return file;
    }

    /** The 1-based line of the offending key or value; 0 when unknown. */
    public int line() {
        return line;
    }

    /** The 1-based column of the offending key or value; 0 when unknown. */
    public int column() {
        return column;
    }

    /** The key path, e.g. {@code listeners[1].routes[0].cluster}; {@code ""} for the file as a whole. */
    public String path() {
        return path;
    }

    /** What is wrong, without the location. */
    public String problem() {
        return problem;
    }
}
