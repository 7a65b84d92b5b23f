/**
 * Replaying a region dump (a recorded run's {@code reports.jsonl}) as a mock cluster
 * ({@link io.phybr.mock.replay.DumpReplay}): the expected outcome comes from the recording (a recorded
 * plan must be reproduced byte for byte, a refusal refused again), never from a planner;
 * {@link io.phybr.mock.replay.ReplayChecks} judges what a dump without history allows.
 */
package io.phybr.mock.replay;
