package dev.netkit.gateway.config;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;

/*
 * snakeyaml-engine composes nodes recursively and has no depth setting: a file of 20,000 '['
 * overflows the stack (found by GatewayConfigFuzzTest). Its event parser is an explicit state
 * machine, so one pass over the events measures the depth without recursion, before composing.
 */
/** Refuses files nested deeper than {@link #MAX_DEPTH} lists and mappings. */
final class NestingLimit {
    /** Far beyond any real gateway file (about 6 levels), far below a stack overflow. */
    static final int MAX_DEPTH = 64;

    private NestingLimit() {}

    /**
     * @throws ConfigException at the collection that goes too deep
     * @throws org.snakeyaml.engine.v2.exceptions.YamlEngineException for malformed YAML, as composing would
     */
    static void check(String yaml, LoadSettings settings, String fileName) {
        int depth = 0;
        for (Event e : new Parse(settings).parseString(yaml)) {
            switch (e.getEventId()) {
                case SequenceStart, MappingStart -> {
                    if (++depth > MAX_DEPTH) {
                        throw new ConfigException(fileName, e.getStartMark().map(m -> m.getLine() + 1).orElse(0),
                                e.getStartMark().map(m -> m.getColumn() + 1).orElse(0), "",
                                "nested more than " + MAX_DEPTH + " lists and mappings deep");
                    }
                }
                case SequenceEnd, MappingEnd -> depth--;
                default -> { }
            }
        }
    }
}
