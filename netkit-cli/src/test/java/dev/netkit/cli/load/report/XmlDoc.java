package dev.netkit.cli.load.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/** Strict XML parsing of the report's markup (a page or one SVG) and XPath queries over it, for tests. */
public final class XmlDoc {
    private final Document doc;

    private XmlDoc(Document doc) {
        this.doc = doc;
    }

    /** Parses {@code markup}; fails the test when it is not well-formed XML. */
    public static XmlDoc parse(String markup) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setExpandEntityReferences(false);
            return new XmlDoc(f.newDocumentBuilder().parse(new InputSource(new StringReader(markup))));
        } catch (Exception e) {
            throw new AssertionError("not well-formed: " + e.getMessage() + "\n" + markup, e);
        }
    }

    /** The elements matching {@code xpath}. */
    public List<Element> all(String xpath) {
        try {
            NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath().evaluate(xpath, doc, XPathConstants.NODESET);
            List<Element> list = new ArrayList<>();
            for (int i = 0; i < nodes.getLength(); i++) {
                list.add((Element) nodes.item(i));
            }
            return list;
        } catch (Exception e) {
            throw new AssertionError(xpath, e);
        }
    }

    /** The one element matching {@code xpath}; fails the test unless there is exactly one. */
    public Element one(String xpath) {
        List<Element> found = all(xpath);
        assertThat(found).as(xpath).hasSize(1);
        return found.getFirst();
    }

    /** The (x, y) pairs of a polyline's {@code points}. */
    public static List<double[]> points(Element polyline) {
        List<double[]> points = new ArrayList<>();
        String text = polyline.getAttribute("points").trim();
        if (text.isEmpty()) {
            return points;
        }
        for (String pair : text.split(" ")) {
            String[] xy = pair.split(",");
            points.add(new double[] {Double.parseDouble(xy[0]), Double.parseDouble(xy[1])});
        }
        return points;
    }
}
