package io.phybr.mock.fault;

import io.phybr.mock.fault.Fault.AgentFault;
import io.phybr.mock.fault.Fault.Rpc;
import io.phybr.mock.fault.Fault.StockMeaning;

/**
 * Internal (not API): a namespace; use the variants as {@code Fault.X}.
 *
 * <p>The {@link Fault} variants only a seed-protocol agent (protocol A) honours, each with its meaning under protocol B.
 * Used as {@code Fault.X}: {@link Fault} extends this interface only to name them (see there).
 */
public interface AgentVariants {
    // ---- protocol A: agents ---------------------------------------------------------------------------

    /** The agent process dies after sending {@code after} metas, then restarts and reports again. */
    record CrashMidStream(long store, int after) implements AgentFault {
        @Override
        public AgentPoint agentPoint() {
            return AgentPoint.BEFORE_META;
        }

        /** A TiKV that restarts while streaming its metas. */
        @Override
        public StockMeaning underStock() {
            return StockMeaning.same(new Fault.RestartDuring(store, Rpc.READ_REGION_META, after, 1));
        }
    }

    /** The agent cancels its stream after {@code after} metas and opens a new one on the same channel. */
    record ResetStream(long store, int after) implements AgentFault {
        @Override
        public AgentPoint agentPoint() {
            return AgentPoint.BEFORE_META;
        }

        @Override
        public StockMeaning underStock() {
            return StockMeaning.same(new Fault.ResetAfter(store, Rpc.READ_REGION_META, after, 1));
        }
    }

    /** The agent's connection drops after applying; it reconnects only to call close. */
    record DisconnectBeforeClose(long store) implements AgentFault {
        @Override
        public AgentPoint agentPoint() {
            return AgentPoint.AFTER_APPLY;
        }

        @Override
        public StockMeaning underStock() {
            return StockMeaning.none("it breaks the close barrier, and stock TiKV has no close call");
        }
    }

    /** The agent applies its commands and exits without ever calling close. */
    record NoClose(long store) implements AgentFault {
        @Override
        public AgentPoint agentPoint() {
            return AgentPoint.AFTER_APPLY;
        }

        @Override
        public StockMeaning underStock() {
            return StockMeaning.none("it skips the close barrier, and stock TiKV has no close call");
        }
    }

    /** After applying, the store reboots: the agent reports again, re-applies, then closes. */
    record RebootAfterApply(long store) implements AgentFault {
        @Override
        public AgentPoint agentPoint() {
            return AgentPoint.AFTER_APPLY;
        }

        /** A TiKV that restarts after its RecoverRegion answered (tidb#45206): it loses its forced leaders. */
        @Override
        public StockMeaning underStock() {
            return StockMeaning.same(new Fault.RestartAfterAnswer(store, Rpc.RECOVER_REGION, 1));
        }
    }
}
