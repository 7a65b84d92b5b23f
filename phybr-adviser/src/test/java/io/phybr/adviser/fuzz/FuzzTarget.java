package io.phybr.adviser.fuzz;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * One parser (or one kind of message a peer sends) under fuzzing: its seed inputs, and how the tool answers an
 * input — the exit code it would end with and the one paragraph it would print. An exception out of
 * {@link #run} is what the tool would show as an internal error (exit 1, a stack trace): always a finding.
 */
interface FuzzTarget {
    /** The tool's answer to one input: its exit code, and the diagnosis it prints (empty on success). */
    record Answer(int code, String message) {
        static Answer ok() {
            return new Answer(0, "");
        }
    }

    String name();

    /** Well-formed inputs the mutants start from (and, unmutated, must succeed or be refused as they should). */
    List<byte[]> seeds();

    /** Whether the first inputs are the seeds themselves, unmutated (a target whose seeds are known good says no). */
    default boolean replaySeeds() {
        return true;
    }

    /** Text formats also get line-level mutations (drop, double, swap lines). */
    boolean text();

    /** The exit codes a bad input may end in (besides 0); anything else, 1 above all, is a finding. */
    Set<Integer> refusals();

    /** How many inputs one CI run feeds this target. */
    int count();

    /** Runs one input; {@code scratch} is a private directory for targets that read files. */
    Answer run(byte[] input, Path scratch) throws Exception;

    /** Releases what the target started for its inputs (a mock cluster); called once its run ends. */
    default void close() throws Exception {
    }
}
