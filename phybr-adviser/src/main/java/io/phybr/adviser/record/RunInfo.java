package io.phybr.adviser.record;

import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.Protocol;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What a recorded run was asked to do, written to its {@code manifest.json} when the recording
 * starts: enough for {@code phybr plan} to replan the recorded reports with the same options.
 *
 * @param command        the phybr command that ran ({@code serve}, {@code recover})
 * @param policy         leader choice policy
 * @param protocol       command set of the plan
 * @param acceptHoles    whether the operator accepted holes
 * @param flags          the command line as given (for the record; never parsed back)
 * @param resolvedTs     the resolved ts the run used, if any
 * @param expectedStores the stores the run waited for, as the operator said it (e.g. "3 stores", "stores 1, 4, 5")
 */
public record RunInfo(String command, Policy policy, Protocol protocol, boolean acceptHoles, List<String> flags,
                      OptionalLong resolvedTs, String expectedStores) {
    public RunInfo {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(protocol, "protocol");
        flags = List.copyOf(flags);
        Objects.requireNonNull(resolvedTs, "resolvedTs");
        Objects.requireNonNull(expectedStores, "expectedStores");
    }
}
