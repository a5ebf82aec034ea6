package dev.netkit.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.cli.load.BalancerEvent;
import dev.netkit.core.endpoint.Endpoint;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class FailoverTimelineTest {
    private static final Endpoint VICTIM = new Endpoint("127.0.0.1", 7002);
    private static final Endpoint OTHER = new Endpoint("127.0.0.1", 7001);
    private static final long MS = 1_000_000L;

    private static BalancerEvent at(long ms, String type, Endpoint e) {
        return new BalancerEvent(ms * MS, type, e, "why");
    }

    @Test
    void backInServiceWhenNeitherEjectedNorUnhealthyAfterTheRestart() {
        FailoverTimeline t = new FailoverTimeline(VICTIM, 0, List.of(
                at(4000, "killed", VICTIM), at(4020, "ejected", VICTIM), at(4500, "unhealthy", OTHER),
                at(4900, "unhealthy", VICTIM), at(8000, "restarted", VICTIM),
                at(8300, "returned", VICTIM), at(8800, "healthy", VICTIM)));
        assertThat(t.outOfServiceAt()).isEqualTo(OptionalLong.of(4020 * MS));
        assertThat(t.backInServiceAt()).as("still unhealthy when the ejection ended").isEqualTo(OptionalLong.of(8800 * MS));

        StringWriter out = new StringWriter();
        t.print(new PrintWriter(out, true), "backend 2");
        assertThat(out.toString())
                .contains("+4020 ms  ejected    20 ms after the kill: why")
                .contains("+4900 ms  unhealthy  900 ms after the kill: why")
                .contains("+8300 ms  returned   300 ms after the restart: why")
                .contains("back in service 800 ms after the restart")
                .doesNotContain("7001");
    }

    @Test
    void notBackWhileStillOutOrWithoutARestart() {
        FailoverTimeline out = new FailoverTimeline(VICTIM, 0, List.of(
                at(4000, "killed", VICTIM), at(4020, "ejected", VICTIM), at(8000, "restarted", VICTIM)));
        assertThat(out.backInServiceAt()).isEmpty();
        StringWriter text = new StringWriter();
        out.print(new PrintWriter(text, true), "backend 2");
        assertThat(text.toString()).contains("not back in service by the end of the run");

        FailoverTimeline noRestart = new FailoverTimeline(VICTIM, 0, List.of(at(4000, "killed", VICTIM), at(4020, "ejected", VICTIM)));
        assertThat(noRestart.backInServiceAt()).isEmpty();
        assertThat(new FailoverTimeline(VICTIM, 0, List.of()).outOfServiceAt()).isEmpty();
    }
}
