package dev.netkit.cli.load.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.netkit.cli.load.BalancerEvent;
import dev.netkit.cli.load.EndpointReport;
import dev.netkit.cli.load.LoadResult.TimedEvent;
import dev.netkit.cli.load.TimelineEntry;
import dev.netkit.core.balance.EndpointStatus;
import dev.netkit.core.endpoint.Endpoint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.w3c.dom.Element;
import org.junit.jupiter.api.Test;

/** The chart builders on crafted inputs: well-formed SVG, one point per entry, one bar per endpoint, escaped text. */
class ChartsTest {
    private static final String A = "10.0.0.1:7001";
    private static final String HOSTILE = "x&y<b>\"q\":7002";

    @Test
    void throughputHasOnePointPerSecondAndLeavesTheShortRemnantOut() {
        List<TimelineEntry> timeline = List.of(entry(1000, 1000, 500, 0), entry(2000, 1000, 300, 20),
                entry(3000, 1000, 600, 0), entry(3004, 4, 3, 0));
        List<TimedEvent> events = List.of(
                new TimedEvent(-300, new BalancerEvent(0, "ejected", new Endpoint("10.0.0.9", 1), "during warm-up")),
                new TimedEvent(1500, new BalancerEvent(0, "ejected", new Endpoint("10.0.0.2", 7002), "5 failures <&> \"x\"")),
                new TimedEvent(2900, new BalancerEvent(0, "returned", new Endpoint("10.0.0.2", 7002), "ejection ended")));

        XmlDoc svg = XmlDoc.parse(ThroughputChart.svg(timeline, events, 3.004));

        Element root = svg.one("/svg[@id='throughput-chart']");
        assertThat(root.getElementsByTagName("title").item(0).getTextContent()).isEqualTo("Throughput over time");
        Element rps = svg.one("//polyline[contains(@class,'rps')]");
        List<double[]> points = XmlDoc.points(rps);
        assertThat(points).as("one point per entry of at least 250 ms").hasSize(3);
        assertThat(rps.getAttribute("data-points")).isEqualTo("3");
        assertThat(points.get(0)[0]).as("x grows with time").isLessThan(points.get(1)[0]);
        assertThat(points.get(2)[1]).as("600 req/s is higher (smaller y) than 300").isLessThan(points.get(1)[1]);
        assertThat(XmlDoc.points(svg.one("//polyline[contains(@class,'errors')]"))).hasSize(3);
        List<Element> marks = svg.all("//g[@class='event']");
        assertThat(marks).as("window events only; the warm-up one is in the table").hasSize(2);
        assertThat(marks.get(0).getAttribute("data-type")).isEqualTo("ejected");
        assertThat(marks.get(0).getElementsByTagName("title").item(0).getTextContent())
                .isEqualTo("+1500 ms ejected 10.0.0.2:7002: 5 failures <&> \"x\"");
        assertThat(svg.all("//text").stream().map(Element::getTextContent))
                .contains("0 s", "1 s", "3 s", "(last 4 ms not plotted)");
    }

    @Test
    void latencyCurveFollowsThePercentileIterationOnTheLogAxis() {
        Histogram h = new Histogram(60_000_000_000L, 3);
        for (int i = 1; i <= 10_000; i++) {
            h.recordValue(i * 1_000L); // 1 µs .. 10 ms, uniform
        }
        List<LatencyChart.Point> expected = LatencyChart.points(h);

        XmlDoc svg = XmlDoc.parse(LatencyChart.svg(h));

        Element curve = svg.one("/svg[@id='latency-chart']//polyline[contains(@class,'latency')]");
        List<double[]> points = XmlDoc.points(curve);
        assertThat(points).hasSameSizeAs(expected).hasSizeGreaterThan(20);
        for (int i = 1; i < points.size(); i++) {
            assertThat(points.get(i)[0]).as("x never goes back").isGreaterThanOrEqualTo(points.get(i - 1)[0]);
            assertThat(points.get(i)[1]).as("latency never drops (y grows downwards)").isLessThanOrEqualTo(points.get(i - 1)[1]);
        }
        assertThat(expected.getFirst().percentile()).isZero();
        assertThat(expected.getLast().percentile()).isEqualTo(1.0);
        assertThat(expected.getLast().millis()).isCloseTo(10, within(0.01));
        LatencyChart.Point p90 = expected.stream().filter(p -> Math.abs(p.percentile() - 0.9) < 1e-3).findFirst().orElseThrow();
        assertThat(p90.millis()).as("uniform: p90 at 9 ms").isCloseTo(9, within(0.01));
        assertThat(svg.all("//text[@class='xtick']").stream().map(Element::getTextContent))
                .as("4 decades for 10,000 values").containsExactly("0%", "90%", "99%", "99.9%", "99.99%");
        assertThat(svg.all("//text").stream().map(Element::getTextContent)).contains("latency (ms)", "percentile", "10");
    }

    @Test
    void anEmptyHistogramGivesAnEmptyButValidChart() {
        XmlDoc svg = XmlDoc.parse(LatencyChart.svg(new Histogram(3)));

        assertThat(XmlDoc.points(svg.one("//polyline"))).isEmpty();
        assertThat(svg.all("//text").stream().map(Element::getTextContent)).contains("no successful request");
    }

    @Test
    void oneBarGroupPerEndpointWithEscapedNames() {
        List<EndpointReport> endpoints = List.of(endpoint(A, 900, 0), endpoint(HOSTILE, 100, 7));

        String markup = EndpointCharts.bars(endpoints);
        XmlDoc svg = XmlDoc.parse(markup);

        List<Element> groups = svg.all("/svg[@id='endpoint-bars']/g[@class='endpoint']");
        assertThat(groups).extracting(g -> g.getAttribute("data-endpoint")).containsExactly(A, HOSTILE);
        assertThat(groups).extracting(g -> g.getAttribute("data-answered")).containsExactly("900", "100");
        double wide = width(svg, 0, "answered");
        assertThat(width(svg, 1, "answered")).as("bars in proportion").isCloseTo(wide / 9, within(0.1));
        assertThat(width(svg, 0, "errors")).isZero();
        assertThat(width(svg, 1, "errors")).isPositive();
        assertThat(markup).doesNotContain("<b>").contains("x&amp;y&lt;b&gt;&quot;q&quot;:7002");
    }

    @Test
    void endpointBandsStackToTheTotalWithOnePointPerSecond() {
        List<EndpointReport> endpoints = List.of(endpoint(A, 0, 0), endpoint(HOSTILE, 0, 0));
        List<TimelineEntry> timeline = List.of(entry(1000, 1000, 0, 0, A, 400L, HOSTILE, 100L),
                entry(2000, 1000, 0, 0, A, 500L), entry(2010, 10, 0, 0, A, 5L));

        XmlDoc svg = XmlDoc.parse(EndpointCharts.timeline(endpoints, timeline, 2.01));

        List<Element> bands = svg.all("/svg[@id='endpoint-timeline']/polygon");
        assertThat(bands).hasSize(2).allSatisfy(b -> assertThat(b.getAttribute("data-points")).isEqualTo("2"));
        List<double[]> upperOfFirst = XmlDoc.points(bands.get(0)).subList(0, 2);
        List<double[]> upperOfSecond = XmlDoc.points(bands.get(1)).subList(0, 2);
        List<double[]> lowerOfSecond = XmlDoc.points(bands.get(1)).subList(2, 4).reversed();
        for (int j = 0; j < 2; j++) {
            assertThat(lowerOfSecond.get(j)[1]).as("the second band sits on the first").isEqualTo(upperOfFirst.get(j)[1]);
        }
        assertThat(upperOfSecond.get(0)[1]).as("500/s in total both seconds").isEqualTo(upperOfSecond.get(1)[1]);
        assertThat(bands.get(1).getElementsByTagName("title").item(0).getTextContent()).isEqualTo(HOSTILE + " answers per second");
    }

    private static double width(XmlDoc svg, int group, String bar) {
        return Double.parseDouble(svg.all("//g[@class='endpoint']").get(group).getElementsByTagName("rect").item(
                bar.equals("answered") ? 0 : 1).getAttributes().getNamedItem("width").getNodeValue());
    }

    static EndpointReport endpoint(String address, long answered, long errors) {
        return new EndpointReport(address, 1, "", answered, errors, answered + errors, EndpointStatus.HEALTHY, 0);
    }

    static TimelineEntry entry(long end, long millis, long requests, long errors, Object... answered) {
        Map<String, Long> map = new LinkedHashMap<>();
        for (int i = 0; i < answered.length; i += 2) {
            map.put((String) answered[i], (Long) answered[i + 1]);
        }
        return new TimelineEntry(end, millis, requests, errors, map);
    }
}
