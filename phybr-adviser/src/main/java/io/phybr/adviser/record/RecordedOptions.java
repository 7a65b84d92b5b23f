package io.phybr.adviser.record;

import io.phybr.adviser.plan.PlanOptions;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.Protocol;
import io.phybr.contract.record.RecordedRun;
import io.phybr.contract.text.Printable;
import java.io.IOException;

/** The planning options of a recorded run: the manifest's policy and protocol words as the planner's types. */
public final class RecordedOptions {
    private RecordedOptions() {
    }

    /** A policy or protocol the planner does not know is an {@link IOException} naming the manifest. */
    public static PlanOptions of(RecordedRun run) throws IOException {
        try {
            Policy pol = Policy.parse(String.valueOf(run.policy().orElse(null)));
            Protocol proto = run.protocol().isEmpty() ? Protocol.defaultFor(pol) : Protocol.parse(run.protocol().get());
            return new PlanOptions(pol, proto, run.acceptHoles());
        } catch (IllegalArgumentException e) {
            throw new IOException(run.manifest() + ": " + Printable.escape(e.getMessage()));
        }
    }
}
