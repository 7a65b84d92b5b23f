package io.phybr.mock.stock;

import io.phybr.mock.agent.MetaBytes;
import io.phybr.mock.fault.Fault;
import java.util.List;

/**
 * What a store's ReadRegionMeta streams (R1, R2): one meta per local non-tombstone peer, with the store's report
 * faults applied (a reversed range, a duplicate, an unknown field); encoded straight into the message's bytes
 * ({@link MetaBytes}: no message object per meta) as the stream sends them, so a store of a million regions does
 * not hold a million messages at once. Peers are read in runs of {@link #RUN} ({@link List#subList}, or for the
 * in-memory store {@link Encoded}: a run encoded straight from its columns under one hold of its locks). Reading ahead is TiKV's too: its RegionMetaCollector pushes every
 * meta into an unbounded channel that the stream's sink drains ({@code snap_recovery/src/services.rs},
 * {@code read_region_meta}).
 */
final class ReportedMetas {
    static final int RUN = 256;
    /** The field number a newer TiKV's unknown field gets (recover_data.RegionMeta has fields 1..9). */
    static final int UNKNOWN_FIELD = 99;

    private ReportedMetas() {
    }

    static Iterable<byte[]> of(List<LocalPeer> peers, List<Fault.ReportFault> garbage) {
        return () -> new java.util.Iterator<>() {
            private final java.util.ArrayDeque<byte[]> ready = new java.util.ArrayDeque<>(2 * RUN);
            private int next;

            @Override
            public boolean hasNext() {
                while (ready.isEmpty() && next < peers.size()) {
                    int to = Math.min(peers.size(), next + RUN);
                    if (peers instanceof Encoded store) {
                        store.metas(next, to, garbage, ready);
                    } else {
                        for (LocalPeer p : peers.subList(next, to)) {
                            metasOf(p, garbage, ready);
                        }
                    }
                    next = to;
                }
                return !ready.isEmpty();
            }

            @Override
            public byte[] next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return ready.poll();
            }
        };
    }

    /**
     * A store's peer list that encodes a run of its peers' metas straight from its own storage (the in-memory store's
     * columns: no {@link LocalPeer} per peer, no key copies). What it adds for peers {@code [from, to)} must be exactly
     * what {@link #metasOf} makes of {@code subList(from, to)}'s peers ({@code ReportedMetasTest} compares the two).
     */
    interface Encoded {
        void metas(int from, int to, List<Fault.ReportFault> garbage, java.util.Collection<byte[]> out);
    }

    /** Whether a report fault of {@code garbage} names {@code region} (its peer then takes {@link #metasOf}). */
    static boolean faulted(long region, List<Fault.ReportFault> garbage) {
        for (int i = 0; i < garbage.size(); i++) {
            if (garbage.get(i).region() == region) {
                return true;
            }
        }
        return false;
    }

    /** The metas of peer {@code p} (none for a tombstone, two for a duplicate), report faults applied. */
    static void metasOf(LocalPeer p, List<Fault.ReportFault> garbage, java.util.Collection<byte[]> out) {
        if (p.tombstone()) {
            return;
        }
        byte[] start = p.startKey();
        byte[] end = p.endKey();
        boolean twice = false;
        boolean unknown = false;
        for (Fault.ReportFault g : garbage) {
            if (g.region() != p.regionId()) {
                continue;
            }
            if (g instanceof Fault.ReversedRange) {
                byte[] newEnd = start.length != 0 ? start : new byte[] {0x00};
                start = end.length != 0 ? end : io.phybr.mock.model.Keys.append(newEnd, (byte) 0xff);
                end = newEnd;
            } else if (g instanceof Fault.Duplicate) {
                twice = true;
            } else if (g instanceof Fault.UnknownField) {
                unknown = true;
            }
        }
        byte[] m = MetaBytes.stock(p.regionId(), p.maxPeerId(), p.lastLogTerm(), p.lastIndex(), 0, p.version(), false,
                start, end, unknown ? UNKNOWN_FIELD : 0);
        out.add(m);
        if (twice) {
            out.add(m);
        }
    }
}
