package io.phybr.adviser.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.adviser.pd.PdException;
import io.phybr.adviser.pd.PdRetry;
import io.phybr.adviser.progress.PhaseProgress;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** Retry and error counters: they only grow, each retry and each failed store counted once however often it is seen. */
class PhaseMetricsTest {
    private static PhaseProgress snap(String phase, PhaseProgress.StoreProgress... stores) {
        return new PhaseProgress(phase, "regions", 0, stores.length, 0, 10, false, List.of(stores), Instant.EPOCH);
    }

    private static String scrape(PhaseMetrics m) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, m.registry().scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void storeRetriesAndErrorsAreCountedOncePerAttemptAndStore() throws Exception {
        PhaseMetrics m = new PhaseMetrics();
        m.accept(snap("collect", new PhaseProgress.StoreProgress(1, "running", 0, 1), new PhaseProgress.StoreProgress(2, "running", 0, 1)));
        assertThat(scrape(m)).contains("phybr_store_retries_total{phase=\"collect\"} 0.0", "phybr_store_errors_total{phase=\"collect\"} 0.0");
        m.accept(snap("collect", new PhaseProgress.StoreProgress(1, "retrying", 0, 3), new PhaseProgress.StoreProgress(2, "running", 0, 1)));
        m.accept(snap("collect", new PhaseProgress.StoreProgress(1, "retrying", 0, 3), new PhaseProgress.StoreProgress(2, "failed", 0, 2)));
        m.accept(snap("collect", new PhaseProgress.StoreProgress(1, "done", 5, 3), new PhaseProgress.StoreProgress(2, "failed", 0, 2)));
        m.accept(snap("recover", new PhaseProgress.StoreProgress(1, "retrying", 0, 2)));
        String text = scrape(m);
        assertThat(text).contains("# TYPE phybr_store_retries_total counter",
                "phybr_store_retries_total{phase=\"collect\"} 3.0", // store 1: attempts 2 and 3; store 2: attempt 2
                "phybr_store_errors_total{phase=\"collect\"} 1.0",
                "phybr_store_retries_total{phase=\"recover\"} 1.0", "phybr_store_errors_total{phase=\"recover\"} 0.0");
    }

    @Test
    void pdRetriesAndFailuresAreCounted() throws Exception {
        PhaseMetrics m = new PhaseMetrics();
        long retries = PdRetry.retries();
        long errors = PdRetry.errors();
        AtomicInteger calls = new AtomicInteger();
        PdRetry retry = new PdRetry(3, Duration.ofMillis(1), Duration.ofMillis(1));
        assertThat(retry.run("probe", () -> {
            if (calls.incrementAndGet() < 3) {
                throw new PdException("PD answered 503", 503, null);
            }
            return "ok";
        })).isEqualTo("ok");
        Assertions.assertThatThrownBy(() -> retry.run("probe", () -> {
            throw new PdException("PD answered 404", 404, null);
        })).isInstanceOf(PdException.class);
        // other tests in this JVM may retry PD calls at the same time: at least ours are counted
        assertThat(PdRetry.retries() - retries).isGreaterThanOrEqualTo(2);
        assertThat(PdRetry.errors() - errors).isGreaterThanOrEqualTo(1);
        assertThat(scrape(m)).contains("# TYPE phybr_pd_retries_total counter", "phybr_pd_retries_total ",
                "phybr_pd_errors_total ");
    }
}
