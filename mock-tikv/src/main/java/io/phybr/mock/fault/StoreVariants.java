package io.phybr.mock.fault;

import io.grpc.Status;
import io.phybr.mock.fault.Fault.CallFault;
import io.phybr.mock.fault.Fault.Rpc;
import io.phybr.mock.fault.Fault.StoreFault;
import java.time.Duration;
import java.util.Objects;

/**
 * Internal (not API): a namespace; use the variants as {@code Fault.X}.
 *
 * <p>The {@link Fault} variants only a mock stock-TiKV store (protocol B) honours: per-call faults ({@link CallFault})
 * and faults of the store as a whole. Used as {@code Fault.X}: {@link Fault} extends this interface only to name
 * them (see there).
 */
public interface StoreVariants {
    // ---- protocol B: stock stores (each fires for the next {@code times} calls of its RPC) ------------------

    /** The next {@code times} calls of {@code rpc} fail at once with {@code code}. */
    record FailNext(long store, Rpc rpc, Status.Code code, int times) implements CallFault {
        @Override
        public StorePoint storePoint() {
            return StorePoint.CALL;
        }
    }

    /**
     * The next {@code times} calls of {@code rpc} break with UNAVAILABLE after {@code after} streamed messages (or,
     * for unary calls and RecoverRegion, once the requests are read).
     */
    record ResetAfter(long store, Rpc rpc, int after, int times) implements CallFault {
        @Override
        public StorePoint storePoint() {
            return StorePoint.MESSAGE;
        }
    }

    /**
     * The next {@code times} calls of {@code rpc} answer normally but with {@code Error{msg}} set. Stock TiKV never
     * sets {@code error} (R11); this fault checks an adviser that reads it anyway.
     */
    record ErrorReply(long store, Rpc rpc, String msg, int times) implements CallFault {
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
    record RestartDuring(long store, Rpc rpc, int after, int times) implements CallFault {
        @Override
        public StorePoint storePoint() {
            return after < 0 ? StorePoint.REQUESTS_READ : StorePoint.MESSAGE;
        }
    }

    /** The store process restarts (R9) right after it answered the next {@code times} calls of {@code rpc}. */
    record RestartAfterAnswer(long store, Rpc rpc, int times) implements CallFault {
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
    record Busy(long store, Rpc rpc, int times) implements CallFault {
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
    record SplitBefore(long store, Rpc rpc, long region, String at, long child, int times) implements CallFault {
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
    record LeaderMoveBefore(long store, Rpc rpc, long region, long to, int times) implements CallFault {
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
}
