package io.phybr.mock.fault;

import io.grpc.Status;
import java.time.Duration;
import java.util.Objects;

/**
 * One misbehaviour of the mock cluster, as data: what goes wrong and where (OkHttp's {@code SocketEffect}; TiKV's
 * {@code fail::cfg} points). Every variant carries only its own data and names the lifecycle point where it fires
 * ({@link AgentPoint}, {@link StorePoint}, or PD's request point). The scenario keyword table is {@link FaultSyntax}.
 *
 * <p>Adding a fault costs one variant here, one row in {@link FaultSyntax}, and one hook at its point (an
 * {@code instanceof} where the agent, store or PD reaches that point).
 *
 * <p>Families: {@link AgentFault}s are honoured by seed-protocol agents (protocol A), {@link StoreFault}s by mock
 * stock-TiKV stores (protocol B), {@link PdFault}s by the mock PD (at its request point), {@link PdEvent}s by the mock PD
 * and stores of protocol B (what PD sees of the cluster: the marker, registrations, leaders, restarts). Some variants belong to both agent and store
 * families (a slow store, garbage in a report, a store that never shows up): they mean the same thing under both
 * protocols. An agent-only fault says what it means under protocol B with {@link AgentFault#underStock()}.
 */
public sealed interface Fault permits Fault.AgentFault, Fault.StoreFault, Fault.PdFault, Fault.PdEvent {

    /** Faults a seed-protocol agent honours. */
    sealed interface AgentFault extends Fault {
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
    sealed interface StoreFault extends Fault {
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
    record Duplicate(long store, long region) implements AgentFault, StoreFault, ReportFault {
    }

    /** The store reports {@code region} with start and end swapped (start_key > end_key). */
    record ReversedRange(long store, long region) implements AgentFault, StoreFault, ReportFault {
    }

    /** The store's meta of {@code region} carries an unknown field (number 99). */
    record UnknownField(long store, long region) implements AgentFault, StoreFault, ReportFault {
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
            return StockMeaning.same(new RestartDuring(store, Rpc.READ_REGION_META, after, 1));
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
            return StockMeaning.same(new ResetAfter(store, Rpc.READ_REGION_META, after, 1));
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
            return StockMeaning.same(new RestartAfterAnswer(store, Rpc.RECOVER_REGION, 1));
        }
    }

    // ---- protocol B: stock stores (each fires for the next {@code times} calls of its RPC) ------------------

    /** The next {@code times} calls of {@code rpc} fail at once with {@code code}. */
    record FailNext(long store, Rpc rpc, Status.Code code, int times) implements StoreFault, CallFault {
        @Override
        public StorePoint storePoint() {
            return StorePoint.CALL;
        }
    }

    /**
     * The next {@code times} calls of {@code rpc} break with UNAVAILABLE after {@code after} streamed messages (or,
     * for unary calls and RecoverRegion, once the requests are read).
     */
    record ResetAfter(long store, Rpc rpc, int after, int times) implements StoreFault, CallFault {
        @Override
        public StorePoint storePoint() {
            return StorePoint.MESSAGE;
        }
    }

    /**
     * The next {@code times} calls of {@code rpc} answer normally but with {@code Error{msg}} set. Stock TiKV never
     * sets {@code error} (R11); this fault checks an adviser that reads it anyway.
     */
    record ErrorReply(long store, Rpc rpc, String msg, int times) implements StoreFault, CallFault {
        public ErrorReply {
            Objects.requireNonNull(msg, "msg");
        }

        @Override
        public StorePoint storePoint() {
            return StorePoint.ANSWER;
        }
    }

    /**
     * The store process restarts (R9) while serving the next {@code times} calls of {@code rpc}: after {@code after}
     * streamed messages, or with {@code after} = -1 once the call's requests are all read (RecoverRegion: before any
     * region campaigns).
     */
    record RestartDuring(long store, Rpc rpc, int after, int times) implements StoreFault, CallFault {
        @Override
        public StorePoint storePoint() {
            return after < 0 ? StorePoint.REQUESTS_READ : StorePoint.MESSAGE;
        }
    }

    /** The store process restarts (R9) right after it answered the next {@code times} calls of {@code rpc}. */
    record RestartAfterAnswer(long store, Rpc rpc, int times) implements StoreFault, CallFault {
        @Override
        public StorePoint storePoint() {
            return StorePoint.ANSWERED;
        }
    }

    /**
     * The next {@code times} calls of {@code rpc} (a tikvpb call) answer the region error ServerIsBusy (TiKV's
     * scheduler too busy: {@code src/storage/txn/scheduler.rs}, {@code errors.rs}); nothing changes on the store.
     * With a large {@code times} a region stays unprepared.
     */
    record Busy(long store, Rpc rpc, int times) implements StoreFault, CallFault {
        @Override
        public StorePoint storePoint() {
            return StorePoint.CALL;
        }
    }

    /**
     * Before the next {@code times} calls of {@code rpc} reach the store, region {@code region} splits at raw key
     * {@code at} (hex) on its leader, the right part becoming region {@code child} led from the same store
     * (raftstore {@code exec_batch_split}): the split that lands between RecoverRegion and the flashback. A region in
     * the flashback state refuses the split (its proposal is FlashbackInProgress), so then nothing happens.
     */
    record SplitBefore(long store, Rpc rpc, long region, String at, long child, int times)
            implements StoreFault, CallFault {
        public SplitBefore {
            Objects.requireNonNull(at, "at");
        }

        @Override
        public StorePoint storePoint() {
            return StorePoint.CALL;
        }
    }

    /**
     * Before the next {@code times} calls of {@code rpc} reach the store, store {@code to}'s peer of {@code region}
     * campaigns (and wins if Raft's vote rule lets it): the leader moved between RecoverRegion and the flashback.
     */
    record LeaderMoveBefore(long store, Rpc rpc, long region, long to, int times) implements StoreFault, CallFault {
        @Override
        public StorePoint storePoint() {
            return StorePoint.CALL;
        }
    }

    /**
     * The store runs TiKV {@code version} (PD lists it in its store list). Before 6.4.0 TiKV has no two-phase
     * flashback (KvPrepareFlashbackToVersion, tikv#13541 / kvproto#989): the flashback calls answer UNIMPLEMENTED.
     */
    record TikvVersion(long store, String version) implements StoreFault {
        public TikvVersion {
            Objects.requireNonNull(version, "version");
        }

        @Override
        public StorePoint storePoint() {
            return StorePoint.BOOT;
        }

        /** Whether this TiKV serves KvPrepareFlashbackToVersion / KvFlashbackToVersion (≥ 6.4.0). */
        public boolean hasFlashback() {
            String[] v = version.startsWith("v") ? version.substring(1).split("[.-]") : version.split("[.-]");
            try {
                int major = Integer.parseInt(v[0]);
                int minor = v.length > 1 ? Integer.parseInt(v[1]) : 0;
                return major > 6 || major == 6 && minor >= 4;
            } catch (NumberFormatException e) {
                return false; // an unreadable version is taken as too old: the harsher reading
            }
        }
    }

    /**
     * The store's peers exchange no Raft messages with other stores (no votes, no appends) until the store's first
     * WaitApply has been admitted on its peers; then the partition heals. tikv#16307: "a peer is isolated with others
     * and we send a wait apply request to it eventually before the new leader truncate its log" — its wait targets
     * its own last index, an older term's uncommitted tail the new leader then truncates, so it never applies that far.
     */
    record IsolatedUntilWaitApply(long store) implements StoreFault {
        @Override
        public StorePoint storePoint() {
            return StorePoint.RAFT;
        }
    }

    /**
     * tikv#15296: for {@code period} (TiKV time) after every start of its process, the store's peers drop every vote
     * request ({@code components/raftstore/src/store/peer.rs}: "drop request vote for one election timeout after node
     * start", {@code fsm/store.rs maybe_in_unsafe_vote_period}) — TiKV versions that did not yet turn on
     * {@code allow_unsafe_vote_after_start} in recovery mode ({@code snap_recovery/src/init_cluster.rs}, tikv#15297).
     * Upstream the period is one election timeout, which recovery mode makes practically infinite; a scenario gives
     * the period it wants.
     */
    record RefusesVotesAfterStart(long store, Duration period) implements StoreFault {
        public RefusesVotesAfterStart {
            Objects.requireNonNull(period, "period");
        }

        @Override
        public StorePoint storePoint() {
            return StorePoint.RAFT;
        }
    }

    /**
     * R11 at scale: the store's ResolveKvData scans its write CF {@code keys} keys per batch (TiKV: 1M), one message
     * per batch, each carrying the keys that batch deleted — not a running total. A small cluster then answers as a
     * big one does, so an adviser that keeps the last message's count instead of summing reports too few.
     */
    record ResolveBatch(long store, int keys) implements StoreFault {
        public ResolveBatch {
            if (keys < 1) {
                throw new IllegalArgumentException("a resolve batch holds at least one key");
            }
        }

        @Override
        public StorePoint storePoint() {
            return StorePoint.MESSAGE;
        }
    }

    /**
     * tidb-operator#5297: a RecoverRegion of an earlier adviser run, killed mid-recover, is still running on the store
     * when this run starts, forcing {@code region}: its LeaderKeeper campaigns every period until a newer RecoverRegion
     * or a ReadRegionMeta aborts it (R6, tikv components/snap_recovery/src/services.rs abort_last_recover_region).
     */
    record EarlierRecoverRegion(long store, long region) implements StoreFault {
        @Override
        public StorePoint storePoint() {
            return StorePoint.BOOT;
        }
    }

    /** Store faults armed per call: each fires for the next {@code times()} calls of {@code rpc()}. */
    sealed interface CallFault extends StoreFault
            permits FailNext, ResetAfter, ErrorReply, RestartDuring, RestartAfterAnswer, Busy, SplitBefore,
            LeaderMoveBefore {
        Rpc rpc();

        int times();
    }

    // ---- PD: each fires for the next {@code times} HTTP calls matching method (or "*") and path prefix ------------

    /** Faults the mock PD honours when a request arrives; a faulted call changes nothing. */
    sealed interface PdFault extends Fault permits PdStatus, PdStall {
        String method();

        String pathPrefix();

        int times();

        default boolean matches(String m, String path) {
            return ("*".equals(method()) || method().equalsIgnoreCase(m)) && path.startsWith(pathPrefix());
        }
    }

    /** The call is answered with HTTP {@code status}. */
    record PdStatus(String method, String pathPrefix, int times, int status) implements PdFault {
        public PdStatus {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(pathPrefix, "pathPrefix");
        }
    }

    /**
     * The call is never answered until the mock closes: no status line at all, or ({@code midBody}) the status line,
     * headers with a full {@code Content-Length} and half the body, then nothing (a PD whose answer stalls mid-body).
     */
    record PdStall(String method, String pathPrefix, int times, boolean midBody) implements PdFault {
        public PdStall {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(pathPrefix, "pathPrefix");
        }
    }

    // ---- PD's view of the cluster, scripted (protocol B; seed-protocol agents have no PD and ignore them) ----------

    /**
     * What happens on PD's side of a restore, as data: the snapshot-recovering marker (R0), stores registering (R14),
     * region leaders reported by heartbeats, store restarts PD sees as a new start timestamp (R9). Each names the PD
     * point where it takes effect: PD's start, or its answer to a store listing ({@code GET /pd/api/v1/stores}).
     */
    sealed interface PdEvent extends Fault permits Unmarked, RegisterLate, StaleLeader, RestartAtListing, OperatorPaused {
    }

    /**
     * R0: PD was not marked snapshot-recovering when the TiKVs booted, so none is in recovery mode and every
     * RecoverData call answers UNIMPLEMENTED (tikv {@code components/snap_recovery/src/init_cluster.rs},
     * {@code services.rs}: the service is registered only in recovery mode); PD's marker reads false.
     */
    record Unmarked() implements PdEvent {
    }

    /**
     * R14 (tidb-operator#5242): store {@code store}'s TiKV registers only after PD has answered {@code listings} store
     * listings without it — a client that lists the stores early sees a subset.
     */
    record RegisterLate(long store, int listings) implements PdEvent {
        public RegisterLate {
            if (listings < 1) {
                throw new IllegalArgumentException("listings must be at least 1");
            }
        }
    }

    /**
     * PD shows store {@code store} as the leader of {@code region} from the start: a heartbeat PD received before this
     * recovery (e.g. a forced leader of an earlier attempt whose TiKV restarted since: a restarted store sends no
     * heartbeat for the regions it no longer leads, so PD keeps the stale leader until another leader reports).
     */
    record StaleLeader(long region, long store) implements PdEvent {
    }

    /**
     * R9 at any moment: store {@code store}'s TiKV restarts (its forced leaders and pending WaitApply states are lost,
     * it registers again with a newer start timestamp) right after PD answered its {@code listing}-th store listing.
     */
    /**
     * R12: the operator paused {@code scheduler} for {@code delay} before the restore ({@code POST
     * /pd/api/v1/schedulers/{name} {"delay":N}}). PD keeps one pause per scheduler (tikv/pd
     * pkg/schedule/schedulers/scheduler_controller.go PauseOrResumeScheduler: delayUntil = now + delay), so a client
     * that pauses it again re-times the operator's pause, and one that resumes it ({@code "delay":0}) ends it.
     */
    record OperatorPaused(String scheduler, Duration delay) implements PdEvent {
        public OperatorPaused {
            Objects.requireNonNull(scheduler, "scheduler");
            if (delay.toSeconds() < 1) {
                throw new IllegalArgumentException("a pause lasts at least 1 s");
            }
        }
    }

    record RestartAtListing(long store, int listing) implements PdEvent {
        public RestartAtListing {
            if (listing < 1) {
                throw new IllegalArgumentException("listing must be at least 1");
            }
        }
    }
}
