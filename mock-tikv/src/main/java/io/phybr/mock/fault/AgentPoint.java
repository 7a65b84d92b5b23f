package io.phybr.mock.fault;

/** Named points of a seed-protocol agent's life where {@link Fault.AgentFault}s fire. */
public enum AgentPoint {
    /** Before the agent starts at all (a store that never shows up). */
    START,
    /** When the agent builds the metas it will report (garbage in one region's meta). */
    BUILD_METAS,
    /** Before each meta goes on the wire (slowness, a crash or stream reset after N metas). */
    BEFORE_META,
    /** After the agent applied its commands, before it calls close (reboot, lost connection, no close). */
    AFTER_APPLY
}
