package io.phybr.adviser.progress;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/**
 * How far a long phase is, at one instant: stores done of total, what they have handled ({@code count} of
 * {@code unit}: region metas, regions, keys) and at what rate, time spent, and an estimate of the time left from
 * the stores still running (none until one store is done). The same figures go to the log, the progress file and
 * (later) metrics.
 */
public record PhaseProgress(String phase, String unit, int storesDone, int storesTotal, long count, long elapsedMillis,
                            boolean finished, List<StoreProgress> stores, Instant at) {

    /** One store's part. */
    public record StoreProgress(long store, String state, long count, int attempt) {}

    /** {@code count} per second since the phase began (0 in its first millisecond). */
    public double perSecond() {
        return elapsedMillis <= 0 ? 0 : count * 1000.0 / elapsedMillis;
    }

    /**
     * Time left, estimated from the stores done so far (each store's part takes about as long as the others):
     * empty until the first store is done; 0 when finished.
     */
    public OptionalLong etaMillis() {
        if (finished || storesDone >= storesTotal) {
            return OptionalLong.of(0);
        }
        if (storesDone == 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(elapsedMillis * (storesTotal - storesDone) / storesDone);
    }

    /** The progress file's object (Jackson, keys in a fixed order). */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("phase", phase);
        o.put("finished", finished);
        o.put("stores_done", storesDone);
        o.put("stores_total", storesTotal);
        o.put("unit", unit);
        o.put("count", count);
        o.put("per_second", Math.round(perSecond() * 10) / 10.0);
        o.put("elapsed_ms", elapsedMillis);
        OptionalLong eta = etaMillis();
        if (eta.isPresent()) {
            o.put("eta_ms", eta.getAsLong());
        } else {
            o.putNull("eta_ms");
        }
        o.put("updated_at", at.toString());
        ArrayNode list = o.putArray("stores");
        for (StoreProgress s : stores) {
            ObjectNode so = list.addObject();
            so.put("store", s.store());
            so.put("state", s.state());
            so.put("count", s.count());
            so.put("attempt", s.attempt());
        }
        return o;
    }
}
