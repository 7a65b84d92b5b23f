package io.phybr.rehearsal;

import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.protocol.seed.SeedAdviser;
import io.phybr.mock.Rehearsal;
import io.phybr.mock.check.AdviserResult;
import io.phybr.mock.scenario.Scenario;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/** Launches phybr's own seed-protocol adviser ({@link SeedAdviser}) in this JVM for a scenario. */
public final class OurAdviser implements Rehearsal.RunningAdviser {
    private static final AtomicInteger NAMES = new AtomicInteger();

    private final SeedAdviser adviser;
    private final String target;

    private OurAdviser(SeedAdviser adviser, String target) {
        this.adviser = adviser;
        this.target = target;
    }

    /** Over loopback TCP on an ephemeral port. */
    public static Rehearsal.AdviserLauncher loopback() {
        return loopback(UnaryOperator.identity());
    }

    /** Over loopback TCP, with {@code configure} applied to the builder (policy, recorder, ...). */
    public static Rehearsal.AdviserLauncher loopback(UnaryOperator<SeedAdviser.Builder> configure) {
        return s -> {
            SeedAdviser a = configure.apply(builder(s)).listen("127.0.0.1:0").build().start();
            return new OurAdviser(a, "127.0.0.1:" + a.port());
        };
    }

    /** Over gRPC's in-process transport (fast; for randomized runs). */
    public static Rehearsal.AdviserLauncher inProcess() {
        return inProcess(UnaryOperator.identity());
    }

    /** In-process, with {@code configure} applied to the builder (policy, recorder, ...). */
    public static Rehearsal.AdviserLauncher inProcess(UnaryOperator<SeedAdviser.Builder> configure) {
        return s -> {
            String name = "phybr-rehearsal-" + NAMES.incrementAndGet();
            SeedAdviser a = configure.apply(builder(s)).inProcess(name).build().start();
            return new OurAdviser(a, "inproc:" + name);
        };
    }

    private static SeedAdviser.Builder builder(Scenario s) {
        long[] ids = s.stores().stream().mapToLong(Long::longValue).toArray();
        return SeedAdviser.builder().storeIds(ids).collectTimeout(s.collectTimeout()).closeTimeout(s.closeTimeout());
    }

    @Override
    public String target() {
        return target;
    }

    @Override
    public AdviserResult awaitOutcome(Duration timeout) throws InterruptedException {
        Optional<Outcome> o = adviser.awaitOutcome(timeout);
        if (o.isEmpty()) {
            throw new IllegalStateException("the adviser did not end within " + timeout);
        }
        Outcome outcome = o.get();
        String diag = outcome.diagnosis().orElse("");
        if (diag.isEmpty()) {
            diag = outcome.verdict();
        } else {
            diag = outcome.verdict() + " " + diag;
        }
        return new AdviserResult(outcome.exitCode().code(), diag);
    }

    @Override
    public void close() {
        adviser.close();
    }
}
