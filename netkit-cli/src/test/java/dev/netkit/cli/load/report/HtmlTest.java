package dev.netkit.cli.load.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HtmlTest {
    @Test
    void escapesMarkupAndQuotesSoTextCannotOpenATagOrLeaveAnAttribute() {
        String hostile = "<script>alert('x')</script> & \"quoted\"";

        String escaped = Html.escape(hostile);

        assertThat(escaped).isEqualTo("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;");
        assertThat(XmlDoc.parse("<p title=\"" + escaped + "\">" + escaped + "</p>").one("/p").getTextContent())
                .as("the parser gives back the original text").isEqualTo(hostile);
    }

    @Test
    void dropsControlCharactersXmlForbidsButKeepsWhitespaceAndNonAscii() {
        assertThat(Html.escape("a\u0000b\u0007c\td\ne\u00e9\u00b5")).isEqualTo("abc\td\ne\u00e9\u00b5");
        assertThat(Html.escape(null)).isEmpty();
    }

    @Test
    void numbersUseADotAndNoMoreThanTwoDecimals() {
        assertThat(Html.num(12)).isEqualTo("12");
        assertThat(Html.num(12.5)).isEqualTo("12.5");
        assertThat(Html.num(1234.567)).isEqualTo("1234.57");
        assertThat(Html.count(1234567)).isEqualTo("1,234,567");
        assertThat(Html.micros(812.4)).isEqualTo("812\u00a0µs");
        assertThat(Html.micros(1240)).isEqualTo("1.24\u00a0ms");
    }
}
