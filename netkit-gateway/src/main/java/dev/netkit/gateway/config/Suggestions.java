package dev.netkit.gateway.config;

import java.util.Collection;
import java.util.Optional;

/** The nearest known word to a misspelt one, by edit distance. */
final class Suggestions {
    private Suggestions() {}

    /**
     * The candidate closest to {@code word} (Levenshtein distance, case-insensitive, {@code -} and
     * {@code _} alike), if it is close enough to be a typo: at most 2 edits, or a third of the word.
     */
    static Optional<String> nearest(String word, Collection<String> candidates) {
        String w = normalize(word);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(w, normalize(c));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.max(2, w.length() / 3) ? Optional.ofNullable(best) : Optional.empty();
    }

    private static String normalize(String s) {
        return s.toLowerCase(java.util.Locale.ROOT).replace('-', '_');
    }

    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
