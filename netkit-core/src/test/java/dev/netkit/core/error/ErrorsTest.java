package dev.netkit.core.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ErrorsTest {
    @Test
    void everyKindHasAnExceptionAndAStableLabel() {
        assertThat(new QueueFullException("x").kind()).isEqualTo(ErrorKind.QUEUE_FULL);
        assertThat(new ClosedException("x").kind()).isEqualTo(ErrorKind.CLOSED);
        assertThat(new NoEndpointsException("x").kind()).isEqualTo(ErrorKind.NO_ENDPOINTS);
        assertThat(new PoolClosedException("x")).isInstanceOf(ClosedException.class)
                .extracting(NetkitException::kind).isEqualTo(ErrorKind.POOL_CLOSED);
        assertThat(new FrameTooLargeException(70_000, 65_531).kind()).isEqualTo(ErrorKind.FRAME_TOO_LARGE);
        assertThat(new ProtocolViolationException("x").kind()).isEqualTo(ErrorKind.PROTOCOL_VIOLATION);
        assertThat(new RequestTimeoutException("x").kind()).isEqualTo(ErrorKind.TIMEOUT);
        assertThat(new ConnectionLostException("x").kind()).isEqualTo(ErrorKind.CONNECTION_LOST);
        assertThat(new RateLimitedException("x").kind()).isEqualTo(ErrorKind.RATE_LIMITED);
        assertThat(Arrays.stream(ErrorKind.values()).map(ErrorKind::label))
                .containsExactly("queue_full", "closed", "no_endpoints", "pool_closed", "frame_too_large",
                        "protocol_violation", "timeout", "connection_lost", "rate_limited");
    }

    @Test
    void hotPathFailuresSkipTheStackTraceButKeepTheCause() {
        Exception cause = new java.io.IOException("reset");
        ConnectionLostException e = new ConnectionLostException("connection to a:1 lost", cause);
        assertThat(e.getStackTrace()).isEmpty();
        assertThat(e).hasCause(cause).hasMessage("connection to a:1 lost");
        assertThat(new FrameTooLargeException(1, 0).getStackTrace()).as("caller errors keep their trace").isNotEmpty();
    }
}
