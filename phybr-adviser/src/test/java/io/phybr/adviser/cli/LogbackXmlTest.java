package io.phybr.adviser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * The jar's logback.xml is well-formed XML. Tests run with logback-test.xml, so a broken logback.xml (a "--" inside
 * a comment) went unnoticed while every real run printed Logback's parse error with a stack trace and logged
 * every gRPC frame at DEBUG.
 */
class LogbackXmlTest {
    @Test
    void theShippedLogbackConfigurationParses() throws Exception {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("logback.xml")) {
            assertThat(in).as("logback.xml on the classpath").isNotNull();
            Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
            assertThat(d.getDocumentElement().getTagName()).isEqualTo("configuration");
        }
    }
}
