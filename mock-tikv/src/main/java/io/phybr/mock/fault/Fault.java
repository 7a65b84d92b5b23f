package io.phybr.mock.fault;

import java.time.Duration;
import java.util.Objects;

/**
 * One misbehaviour of the mock cluster, as data: what goes wrong and where (OkHttp's {@code SocketEffect}; TiKV's
 * {@code fail::cfg} points). Every variant carries only its own data and names the lifecycle point where it fires
 * ({@link AgentPoint}, {@link StorePoint}, or PD's request point). The scenario keyword table is {@link FaultSyntax}.
 *
 * <p>Adding a fault costs one variant (in the file of its family, see "Files" below) named in its family's
 * {@code permits} list, one row in {@link FaultSyntax}, and one hook at its point (an {@code instanceof} where the
 * agent, store or PD reaches that point).
 *
 * <p>Families: {@link AgentFault}s are honoured by seed-protocol agents (protocol A), {@link StoreFault}s by mock
 * stock-TiKV stores (protocol B), {@link PdFault}s by the mock PD (at its request point), {@link PdEvent}s by the mock PD
 * and stores of protocol B (what PD sees of the cluster: the marker, registrations, leaders, restarts). Some variants belong to both agent and store
 * families (a slow store, garbage in a report, a store that never shows up): they mean the same thing under both
 * protocols. An agent-only fault says what it means under protocol B with {@link AgentFault#underStock()}.
 *
 * <p>Files: this one holds the families, the RPC words and the variants of both protocols; the variants of one
 * protocol are declared in {@code AgentVariants} (protocol A), {@code StoreVariants} (protocol B stores) and
 * {@code PdVariants} (PD). {@code Fault} extends those three method-less interfaces only so that every variant is
 * named {@code Fault.X} wherever it is used (a member type is inherited); they are namespaces, not types to use
 * (public only because javac refuses a lambda whose inferred parameter type, e.g. {@code v -> v.hasFlashback()}
 * over {@code Fault.TikvVersion}, is declared in an inaccessible interface). A single-type import
 * needs the declaring file's name ({@code import io.phybr.mock.fault.StoreVariants.Busy}).
 */
public sealed interface Fault extends AgentVariants, StoreVariants, PdVariants
        permits Fault.AgentFault, Fault.StoreFault, Fault.PdFault, Fault.PdEvent {

    /** Faults a seed-protocol agent honours. */
    sealed interface AgentFault extends Fault permits Absent, Slow, ReportFault, AgentVariants.CrashMidStream,
            AgentVariants.ResetStream, AgentVariants.DisconnectBeforeClose, AgentVariants.NoClose,
            AgentVariants.RebootAfterApply {
        long store();

        /** Where in the agent's life the fault fires. */
        AgentPoint agentPoint();

        /**
         * The same misbehaviour of a stock TiKV store (protocol B), or an explanation why there is none.
         * Variants that are also {@link StoreFault}s map to themselves.
         */
        StockMeaning underStock();
    }

    /** Faults a mock stock-TiKV store honours. */
    sealed interface StoreFault extends Fault permits Absent, Slow, ReportFault, CallFault, StoreVariants.TikvVersion,
            StoreVariants.IsolatedUntilWaitApply, StoreVariants.RefusesVotesAfterStart, StoreVariants.ResolveBatch,
            StoreVariants.EarlierRecoverRegion {
        long store();

        /** Where in the store's life (or one call) the fault fires. */
        StorePoint storePoint();
    }

    /** Protocol B's meaning of an agent fault: a store fault, or why the fault has none. */
    record StockMeaning(StoreFault fault, String whyNone) {
        static StockMeaning same(StoreFault f) {
            return new StockMeaning(f, null);
        }

        static StockMeaning none(String why) {
            return new StockMeaning(null, why);
        }
    }

    /** The recover_data calls of a stock TiKV, by their scenario words. */
    enum Rpc {
        READ_REGION_META("read-region-meta"),
        RECOVER_REGION("recover-region"),
        WAIT_APPLY("wait-apply"),
        RESOLVE_KV_DATA("resolve-kv-data"),
        /** tikvpb.Tikv KvPrepareFlashbackToVersion (the flashback finish, BR 7.x). */
        PREPARE_FLASHBACK("prepare-flashback"),
        /** tikvpb.Tikv KvFlashbackToVersion. */
        FLASHBACK("flashback"),
        /** tikvpb.Tikv KvGet (a point read; what a prepared region refuses). */
        KV_GET("kv-get");

        public final String word;

        Rpc(String word) {
            this.word = word;
        }
    }

    // ---- both protocols -------------------------------------------------------------------------------

    /** The store never shows up: no agent connects (A); PD lists the store but its TiKV never answers (B). */
    record Absent(long store) implements AgentFault, StoreFault {
        @Override
        public AgentPoint agentPoint() {
            return AgentPoint.START;
        }

        @Override
        public StorePoint storePoint() {
            return StorePoint.BOOT;
        }

        @Override
        public StockMeaning underStock() {
            return StockMeaning.same(this);
        }
    }

    /** Every reported meta (A) or streamed message and region campaign (B) takes {@code delay} first. */
    record Slow(long store, Duration delay) implements AgentFault, StoreFault {
        public Slow {
            Objects.requireNonNull(delay, "delay");
        }

        @Override
        public AgentPoint agentPoint() {
            return AgentPoint.BEFORE_META;
        }

        @Override
        public StorePoint storePoint() {
            return StorePoint.MESSAGE;
        }

        @Override
        public StockMeaning underStock() {
            return StockMeaning.same(this);
        }
    }

    /** The store reports {@code region} twice (in its agent's stream, or in ReadRegionMeta). */
    record Duplicate(long store, long region) implements ReportFault {
    }

    /** The store reports {@code region} with start and end swapped (start_key > end_key). */
    record ReversedRange(long store, long region) implements ReportFault {
    }

    /** The store's meta of {@code region} carries an unknown field (number 99). */
    record UnknownField(long store, long region) implements ReportFault {
    }

    /** Garbage in one region's report: fires where the metas are built, the same under both protocols. */
    sealed interface ReportFault extends AgentFault, StoreFault permits Duplicate, ReversedRange, UnknownField {
        long region();

        @Override
        default AgentPoint agentPoint() {
            return AgentPoint.BUILD_METAS;
        }

        @Override
        default StorePoint storePoint() {
            return StorePoint.BUILD_METAS;
        }

        @Override
        default StockMeaning underStock() {
            return StockMeaning.same(this);
        }
    }

    /** Store faults armed per call: each fires for the next {@code times()} calls of {@code rpc()}. */
    sealed interface CallFault extends StoreFault
            permits StoreVariants.FailNext, StoreVariants.ResetAfter, StoreVariants.ErrorReply,
            StoreVariants.RestartDuring, StoreVariants.RestartAfterAnswer, StoreVariants.Busy,
            StoreVariants.SplitBefore, StoreVariants.LeaderMoveBefore {
        Rpc rpc();

        int times();
    }

    // ---- PD: each fires for the next {@code times} HTTP calls matching method (or "*") and path prefix ------------

    /** Faults the mock PD honours when a request arrives; a faulted call changes nothing. */
    sealed interface PdFault extends Fault permits PdVariants.PdStatus, PdVariants.PdStall {
        String method();

        String pathPrefix();

        int times();

        default boolean matches(String m, String path) {
            return ("*".equals(method()) || method().equalsIgnoreCase(m)) && path.startsWith(pathPrefix());
        }
    }

    // ---- PD's view of the cluster, scripted (protocol B; seed-protocol agents have no PD and ignore them) ----------

    /**
     * What happens on PD's side of a restore, as data: the snapshot-recovering marker (R0), stores registering (R14),
     * region leaders reported by heartbeats, store restarts PD sees as a new start timestamp (R9). Each names the PD
     * point where it takes effect: PD's start, or its answer to a store listing ({@code GET /pd/api/v1/stores}).
     */
    sealed interface PdEvent extends Fault permits PdVariants.Unmarked, PdVariants.RegisterLate, PdVariants.StaleLeader,
            PdVariants.RestartAtListing, PdVariants.OperatorPaused, PdVariants.KilledRunLeftPaused {
    }
}
