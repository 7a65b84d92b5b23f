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
    private static final Logger LOG = LoggerFactory.getLogger(TlsRefusals.class);
    static final int KEPT = 8;
    private final List<String> texts = new ArrayList<>();
    private int count;

    @Override
    public synchronized void accept(String text) {
        count++;
        if (!texts.contains(text) && texts.size() < KEPT) {
            texts.add(text);
            LOG.warn("TLS handshake refused: {}", text);
        }
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
