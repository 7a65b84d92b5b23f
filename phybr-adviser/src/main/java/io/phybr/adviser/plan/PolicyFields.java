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
     * is the region's {@link #majorityTerm} (BR only).
     */
    boolean better(int a, int b, boolean seed, long majorityTerm) {
        int c = seed ? compareSeed(a, b) : compareBr(a, b, majorityTerm);
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
     * BR's key (last_log_term, last_index, commit_index) with last_log_term capped at the region's majority
     * term, then a replica whose term a majority reached before one whose term nobody else saw (see
     * {@link #majorityTerm}).
     */
    int compareBr(int a, int b, long majorityTerm) {
        int c = Long.compare(Math.min(term[a], majorityTerm), Math.min(term[b], majorityTerm));
        if (c != 0) {
            return c;
        }
        c = Long.compare(index[a], index[b]);
        if (c != 0) {
            return c;
        }
        c = Long.compare(commit[a], commit[b]);
        return c != 0 ? c : Boolean.compare(term[a] <= majorityTerm, term[b] <= majorityTerm);
    }

    /**
     * The highest term a majority of the live replicas at positions [lo, hi) (tombstones skipped) reached in
     * their hard state: the median-or-above value, {@code live/2+1}-th largest. TiKV reports the hard-state
     * term as last_log_term (SPEC R2, tikv {@code region_meta_collector.rs}); an entry of term T exists only
     * if a leader of T won a majority of votes, and a voter persists T in its hard state before it votes. So
     * no replica's last entry can be of a term above this one, and a last_log_term above it is a vote or a
     * failed campaign (a cut-off replica, an old leader campaigning in vain) — it says nothing about how up
     * to date the log is, and ranking by it picks a replica that loses the forced election (R3).
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

    /** The {@code live/2+1}-th largest of {@code terms[0, live)} (reordered), 0 for none. */
    static long majorityOf(long[] terms, int live) {
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
