package dev.netkit.core.pool;

import java.util.concurrent.CompletionStage;

/**
 * A background health check of an idle connection, for example a protocol ping. The pool runs it
 * periodically on a small share of idle connections at a time and closes the ones that fail, do
 * not answer within the validation timeout, or complete with {@code false}.
 *
 * @param <C> the connection type
 */
@FunctionalInterface
public interface Validator<C> {
    /** Checks {@code connection}; must not block. */
    CompletionStage<Boolean> validate(C connection);
}
