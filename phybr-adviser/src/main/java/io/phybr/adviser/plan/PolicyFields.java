package io.phybr.adviser.plan;

import java.util.Arrays;

/**
 * The policy fields the leader choice compares, as parallel columns: either the table's own
 * (addressed by row) or a block of them gathered in region order (addressed by position). A block gathered for the
 * seed policy has no {@code commit} and {@code version} (null): that policy never reads them.
 */
final class PolicyFields {
    long[] index;
    long[] term;
    long[] commit;
    long[] version;
    byte[] flags;
    long[] scratch = new long[16]; // one region's live terms, for its majority term (BR)

    PolicyFields(long[] index, long[] term, long[] commit, long[] version, byte[] flags) {
        this.index = index;
        this.term = term;
        this.commit = commit;
        this.version = version;
        this.flags = flags;
    }

    boolean tombstone(int i) {
        return (flags[i] & ReplicaTable.TOMBSTONE) != 0;
    }

    /**
     * Whether a beats b as leader: policy key, then (BR) newer version; equal otherwise. {@code majorityTerm}
     * and {@code capIndex} are the region's {@link #majorityTerm} and {@link #capIndex} (BR only).
     */
    boolean better(int a, int b, boolean seed, long majorityTerm, long capIndex) {
        int c = seed ? compareSeed(a, b) : compareBr(a, b, majorityTerm, capIndex);
        if (c != 0) {
            return c > 0;
        }
        return !seed && version[a] > version[b];
    }

    int compareSeed(int a, int b) {
        int c = Long.compare(index[a], index[b]);
        return c != 0 ? c : Long.compare(term[a], term[b]);
    }

    /**
     * BR's key (last_log_term, last_index, commit_index), with a last_log_term the reports refute ({@link #capped})
     * capped at the region's majority term; at equal keys an uncapped replica goes before a capped one.
     */
    int compareBr(int a, int b, long majorityTerm, long capIndex) {
        boolean ca = capped(a, majorityTerm, capIndex);
        boolean cb = capped(b, majorityTerm, capIndex);
        int c = Long.compare(ca ? majorityTerm : term[a], cb ? majorityTerm : term[b]);
        if (c != 0) {
            return c;
        }
        c = Long.compare(index[a], index[b]);
        if (c != 0) {
            return c;
        }
        c = Long.compare(commit[a], commit[b]);
        return c != 0 ? c : Boolean.compare(cb, ca);
    }

    /**
     * Whether x's last_log_term is capped at the region's majority term: it is above that term, and the reports
     * refute it as the term of a log entry ({@link #capIndex}). Only then does the choice depart from BR's rank
     * ({@code br/pkg/restore/data/recover.go SortRecoverRegions}: last_log_term, last_index, commit_index).
     */
    boolean capped(int x, long majorityTerm, long capIndex) {
        return term[x] > majorityTerm && index[x] <= capIndex;
    }

    /**
     * The highest term a majority of the live replicas at positions [lo, hi) (tombstones skipped) reached in
     * their hard state: the median-or-above value, {@code live/2+1}-th largest. TiKV reports the hard-state
     * term as last_log_term (SPEC R2, tikv {@code region_meta_collector.rs}); an entry of term T exists only
     * if a leader of T won a majority of votes, and a voter persists T in its hard state before it votes. So
     * on one consistent cut no replica's last entry can be of a term above this one, and a last_log_term above it
     * is a vote or a failed campaign (a cut-off replica, an old leader campaigning in vain) — it says nothing
     * about how up to date the log is, and ranking by it picks a replica that loses the forced election (R3).
     * The snapshots of a restore are no one cut, though: see {@link #capIndex} for where the cap holds.
     * {@code scratch} holds at least hi - lo longs.
     */
    long majorityTerm(int lo, int hi, long[] scratch) {
        int live = 0;
        for (int x = lo; x < hi; x++) {
            if (!tombstone(x)) {
                scratch[live++] = term[x];
            }
        }
        return majorityOf(scratch, live);
    }

    /**
     * Up to which last_index a last_log_term above {@code majorityTerm} is refuted, -1 for none: the
     * {@code k}-th largest last_index among the live replicas whose term is at most {@code majorityTerm}, where
     * {@code k = v - v/2} replicas meet every majority of {@code v} voters that could have elected a leader;
     * {@code v} is the live replicas, at least 3 (PD's default max-replicas): a store snapshotted before a split
     * has no peer of the new region, and its vote counted all the same. (A region of 5 voters with 2 unreported is
     * taken as one of 3: the one case this bound is too weak for.)
     *
     * <p>Why a cap needs this (issue 14, seeds 1536 and 1950 of {@code RandomHistory}): the volume snapshots of a
     * restore are taken store after store, not as one cut, so a replica snapshotted before an election shows an
     * older term although it voted in the newer one later. With the majority term alone, a follower that applied
     * entries of the newer term (snapshotted late) was capped down to a stale replica's term, and the old leader
     * of the older term — its uncommitted tail as long — was forced instead: it won with the stale replica's vote,
     * and the follower's applied entries, which its log never held, stayed on the follower (raft-rs answers an
     * append below its commit index with its commit index, {@code raft.rs handle_append_entries}, so the leader
     * takes it as matched and the follower never takes the leader's entries: the flashback's versions never
     * reach it). The cap is sound only where the reports refute the higher term: a leader of term T needs the
     * votes of a majority, so it met one of {@code k} replicas whose log is at least as long as x's and whose hard
     * state is below T — which voted after its snapshot, and a vote goes only to a log at least as up to date,
     * so that leader's entries of T come after the voter's last index, never at or below x's. Where fewer than
     * {@code k} such replicas exist, x's term may be a log's, and BR's uncapped rank stands. Where the reports
     * admit both readings (an old leader that campaigned in vain, snapshotted late, beside stale replicas) no
     * rank can tell; this one follows BR there.
     */
    long capIndex(int lo, int hi, long majorityTerm, long[] scratch) {
        int live = 0;
        int n = 0;
        boolean above = false;
        for (int x = lo; x < hi; x++) {
            if (!tombstone(x)) {
                live++;
                if (term[x] <= majorityTerm) {
                    scratch[n++] = index[x];
                } else {
                    above = true;
                }
            }
        }
        return above ? refutedUpTo(scratch, n, live) : -1;
    }

    /**
     * {@link #capIndex} from the last indexes {@code values[0, n)} (reordered) of the live replicas within the majority
     * term, of {@code live} live replicas: the k-th largest, -1 when fewer than k.
     */
    private static long refutedUpTo(long[] values, int n, int live) {
        int v = Math.max(live, 3);
        int k = v - v / 2;
        if (n < k) {
            return -1;
        }
        Arrays.sort(values, 0, n);
        return values[n - k];
    }

    /** The {@code live/2+1}-th largest of {@code terms[0, live)} (reordered), 0 for none. */
    private static long majorityOf(long[] terms, int live) {
        boolean same = true;
        for (int x = 1; x < live && same; x++) {
            same = terms[x] == terms[0];
        }
        if (live == 0 || same) {
            return live == 0 ? 0 : terms[0]; // every replica at one term: the usual case after a quiet backup
        }
        Arrays.sort(terms, 0, live);
        return terms[live - (live / 2 + 1)];
    }
}
