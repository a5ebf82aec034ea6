package dev.netkit.cli.load.report;

import java.util.Locale;

/** Text made safe for HTML (and XML) text and attribute values, and number formats of the page. */
final class Html {
    private Html() {}

    /**
     * Escapes {@code & < > " '} and drops control characters XML does not allow (tab, newline and
     * carriage return are kept), so any string (an endpoint name, an event's detail) can go in
     * text or in a quoted attribute.
     */
    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** A coordinate or a raw figure: at most two decimals, a dot, no grouping. */
    static String num(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        if (s.endsWith(".00")) {
            return s.substring(0, s.length() - 3);
        }
        return s.endsWith("0") ? s.substring(0, s.length() - 1) : s;
    }

    /** A count with thousands separators. */
    static String count(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    /** A latency given in microseconds, as {@code 812 µs} or {@code 1.24 ms}. */
    static String micros(double micros) {
        return micros < 1000 ? String.format(Locale.ROOT, "%.0f\u00a0µs", micros)
                : String.format(Locale.ROOT, "%.2f\u00a0ms", micros / 1000);
    }
}
