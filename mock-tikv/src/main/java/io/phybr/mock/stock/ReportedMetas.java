package io.phybr.mock.stock;

import com.google.protobuf.ByteString;
import io.phybr.mock.fault.Fault;
import io.phybr.proto.recoverdata.RegionMeta;
import java.util.List;

/**
 * What a store's ReadRegionMeta streams (R1, R2): one meta per local non-tombstone peer, with the store's report
 * faults applied (a reversed range, a duplicate, an unknown field); built as the stream sends them, so a store of a
 * million regions does not hold a million messages at once.
 */
final class ReportedMetas {
    private ReportedMetas() {
    }

    static Iterable<RegionMeta> of(List<LocalPeer> peers, List<Fault.ReportFault> garbage) {
        return () -> new java.util.Iterator<>() {
            private final java.util.ArrayDeque<RegionMeta> ready = new java.util.ArrayDeque<>(2);
            private final java.util.Iterator<LocalPeer> next = peers.iterator();

            @Override
            public boolean hasNext() {
                while (ready.isEmpty() && next.hasNext()) {
                    metasOf(next.next(), garbage, ready);
                }
                return !ready.isEmpty();
            }

            @Override
            public RegionMeta next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return ready.poll();
            }
        };
    }

    private static void metasOf(LocalPeer p, List<Fault.ReportFault> garbage, java.util.Collection<RegionMeta> out) {
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
        RegionMeta.Builder m = RegionMeta.newBuilder().setRegionId(p.regionId()).setPeerId(p.maxPeerId())
                .setLastLogTerm(p.lastLogTerm()).setLastIndex(p.lastIndex()).setCommitIndex(0)
                .setVersion(p.version()).setTombstone(false)
                .setStartKey(ByteString.copyFrom(start)).setEndKey(ByteString.copyFrom(end));
        if (unknown) {
            m.setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder().addField(99,
                    com.google.protobuf.UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build());
        }
        out.add(m.build());
        if (twice) {
            out.add(m.build());
        }
    }
}
