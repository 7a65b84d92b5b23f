package io.phybr.adviser.tls;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a TLS server refused, for its diagnosis: a store whose agent was refused never reports, and the timeout that
 * follows must say why rather than only that the store is missing. Each refusal is logged once as it happens; at
 * most {@link #KEPT} distinct texts are kept (a misconfigured agent retries in a loop).
 */
public final class TlsRefusals implements Consumer<String> {
    static final int KEPT = 8;
    private final List<String> texts = new ArrayList<>();
    private int count;

    @Override
    public synchronized void accept(String text) {
        count++;
        if (!texts.contains(text) && texts.size() < KEPT) {
            texts.add(text);
            Log.LOG.warn("TLS handshake refused: {}", text);
        }
    }

    /**
     * The logger, made on the first refusal: every command builds its options (and so one of these) at start, and
     * a logger made then would load and configure Logback even for {@code plan}, which logs nothing (~0.3 s).
     */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(TlsRefusals.class);
    }

    /** One sentence for a diagnosis, or "" when nothing was refused. */
    public synchronized String summary() {
        if (count == 0) {
            return "";
        }
        return "Meanwhile " + count + " TLS handshake" + (count == 1 ? " was" : "s were") + " refused: "
                + String.join("; ", texts) + (count > texts.size() ? "; …" : "") + ".";
    }
}
