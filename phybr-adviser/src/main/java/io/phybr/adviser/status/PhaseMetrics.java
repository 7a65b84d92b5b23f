package io.phybr.adviser.status;

import io.phybr.adviser.progress.PhaseProgress;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.Consumer;

/**
 * The recovery's progress as Prometheus metrics, fed by the same {@link PhaseProgress} snapshots as the log and
 * the progress file. Names (documented in README):
 * <ul>
 *   <li>{@code phybr_phase_running{phase}} 1 for the phase running now, 0 for the ones before it</li>
 *   <li>{@code phybr_phase_stores_done{phase}}, {@code phybr_phase_stores{phase}} stores done / in the phase</li>
 *   <li>{@code phybr_phase_items{phase,unit}} what the stores handled (region metas, regions, keys)</li>
 *   <li>{@code phybr_phase_elapsed_seconds{phase}} time in the phase (its duration once finished)</li>
 *   <li>{@code phybr_phase_retries{phase}} store attempts beyond the first</li>
 *   <li>{@code phybr_phase_store_errors{phase}} stores that failed or timed out</li>
 *   <li>{@code phybr_store_items{phase,store}}, {@code phybr_store_attempt{phase,store}} per store</li>
 *   <li>counters: {@code phybr_store_retries_total{phase}} store attempts retried, {@code phybr_store_errors_total{phase}}
 *       stores that failed or timed out, {@code phybr_pd_retries_total} and {@code phybr_pd_errors_total} PD calls
 *       retried and failed for good</li>
 * </ul>
 */
public final class PhaseMetrics implements Consumer<PhaseProgress> {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Gauge running = gauge("phybr_phase_running", "1 for the phase running now, 0 for finished ones", "phase");
    private final Gauge storesDone = gauge("phybr_phase_stores_done", "Stores that finished their part of the phase", "phase");
    private final Gauge stores = gauge("phybr_phase_stores", "Stores taking part in the phase", "phase");
    private final Gauge items = gauge("phybr_phase_items", "Items the stores handled in the phase", "phase", "unit");
    private final Gauge elapsed = gauge("phybr_phase_elapsed_seconds", "Time spent in the phase", "phase");
    private final Gauge retries = gauge("phybr_phase_retries", "Store attempts beyond the first in the phase", "phase");
    private final Gauge errors = gauge("phybr_phase_store_errors", "Stores that failed or timed out in the phase", "phase");
    private final Gauge storeItems = gauge("phybr_store_items", "Items one store handled in the phase", "phase", "store");
    private final Gauge storeAttempt = gauge("phybr_store_attempt", "The store's current attempt in the phase", "phase", "store");
    private final io.prometheus.metrics.core.metrics.Counter retriesTotal = io.prometheus.metrics.core.metrics.Counter
            .builder().name("phybr_store_retries_total").help("Store attempts retried").labelNames("phase").register(registry);
    private final io.prometheus.metrics.core.metrics.Counter errorsTotal = io.prometheus.metrics.core.metrics.Counter
            .builder().name("phybr_store_errors_total").help("Stores that failed or timed out").labelNames("phase")
            .register(registry);
    {
        io.prometheus.metrics.core.metrics.CounterWithCallback.builder().name("phybr_pd_retries_total")
                .help("PD calls retried").callback(c -> c.call(io.phybr.adviser.pd.PdRetry.retries())).register(registry);
        io.prometheus.metrics.core.metrics.CounterWithCallback.builder().name("phybr_pd_errors_total")
                .help("PD calls that failed for good").callback(c -> c.call(io.phybr.adviser.pd.PdRetry.errors()))
                .register(registry);
    }
    /** Per phase and store: attempts already counted, and whether its failure is counted (counters only grow). */
    private final java.util.Map<String, Integer> attemptsCounted = new java.util.HashMap<>();
    private final java.util.Set<String> errorsCounted = new java.util.HashSet<>();
    private volatile PhaseProgress latest;
    private String runningPhase;

    private Gauge gauge(String name, String help, String... labels) {
        return Gauge.builder().name(name).help(help).labelNames(labels).register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** The last snapshot (null before the first phase), for the status JSON. */
    public PhaseProgress latest() {
        return latest;
    }

    @Override
    public synchronized void accept(PhaseProgress p) {
        latest = p;
        String phase = p.phase();
        if (runningPhase != null && !runningPhase.equals(phase)) {
            running.labelValues(runningPhase).set(0);
        }
        runningPhase = phase;
        running.labelValues(phase).set(p.finished() ? 0 : 1);
        storesDone.labelValues(phase).set(p.storesDone());
        stores.labelValues(phase).set(p.storesTotal());
        items.labelValues(phase, p.unit()).set(p.count());
        elapsed.labelValues(phase).set(p.elapsedMillis() / 1000.0);
        int retried = 0;
        int failed = 0;
        for (PhaseProgress.StoreProgress s : p.stores()) {
            retried += Math.max(0, s.attempt() - 1);
            failed += "failed".equals(s.state()) || "timed out".equals(s.state()) ? 1 : 0;
            storeItems.labelValues(phase, Long.toString(s.store())).set(s.count());
            storeAttempt.labelValues(phase, Long.toString(s.store())).set(s.attempt());
            String key = phase + "/" + s.store();
            int before = attemptsCounted.getOrDefault(key, 1);
            if (s.attempt() > before) {
                retriesTotal.labelValues(phase).inc(s.attempt() - before);
                attemptsCounted.put(key, s.attempt());
            }
            if (("failed".equals(s.state()) || "timed out".equals(s.state())) && errorsCounted.add(key)) {
                errorsTotal.labelValues(phase).inc();
            }
        }
        retriesTotal.labelValues(phase); // present (0) from the phase's first snapshot on
        errorsTotal.labelValues(phase);
        retries.labelValues(phase).set(retried);
        errors.labelValues(phase).set(failed);
    }
}
