package io.phybr.mock.model;

import java.util.ArrayList;
import java.util.List;

/**
 * One replica's own Raft log as its raft volume holds it: entries {@code base+1 .. last}, and the term at
 * {@code base} (a new region's RAFT_INIT_LOG_INDEX, or the snapshot the replica was created from). Kept apart from
 * {@link Peer}'s hard state and region state because the log changes by its own rules — append only at the end,
 * truncate a conflicting tail, reset to a snapshot, copy a raft volume from another instant (R16) — and the vote rule
 * and WaitApply read it without touching the rest. Plain state owned by one {@link Peer}, which checks each change.
 */
final class RaftLog {
    private final ArrayList<Entry> entries = new ArrayList<>();
    private long base;
    private long baseTerm;
    /** RaftLocalState.last_index; kept equal to the log's end. */
    private long last;

    /** An empty log after {@code base}, whose term there is {@code baseTerm}. */
    RaftLog(long base, long baseTerm) {
        reset(base, baseTerm);
    }

    long last() {
        return last;
    }

    long base() {
        return base;
    }

    /** The term of the last entry held (the base term when empty): what Raft's vote rule compares. */
    long lastTerm() {
        return entries.isEmpty() ? baseTerm : entries.get(entries.size() - 1).term();
    }

    /** The entry at {@code index}, or null when the log does not hold it (at or below the base, beyond last). */
    Entry entry(long index) {
        if (index <= base || index > base + entries.size()) {
            return null;
        }
        return entries.get((int) (index - base - 1));
    }

    /** The term at {@code index}: the base term at the base, -1 where the log holds nothing. */
    long termAt(long index) {
        if (index == base) {
            return baseTerm;
        }
        Entry e = entry(index);
        return e == null ? -1 : e.term();
    }

    /** Entries after {@code index}, oldest first. */
    List<Entry> after(long index) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.index() > index) {
                out.add(e);
            }
        }
        return out;
    }

    /** Appends {@code e}; the caller checked it is at {@code last + 1}. */
    void append(Entry e) {
        entries.add(e);
        last = e.index();
    }

    /** Drops every entry after {@code index}; the caller checked it is not below the base. */
    void truncateAfter(long index) {
        while (!entries.isEmpty() && entries.get(entries.size() - 1).index() > index) {
            entries.remove(entries.size() - 1);
        }
        last = Math.min(last, index);
    }

    /** Empty after {@code base}, term {@code term} there: a replica created from a snapshot. */
    void reset(long base, long term) {
        entries.clear();
        this.base = base;
        this.baseTerm = term;
        this.last = base;
    }

    /** Becomes a copy of {@code other} (entries are immutable records, shared). */
    void copyFrom(RaftLog other) {
        entries.clear();
        entries.addAll(other.entries);
        base = other.base;
        baseTerm = other.baseTerm;
        last = other.last;
    }
}
