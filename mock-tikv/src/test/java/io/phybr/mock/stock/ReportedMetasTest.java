package io.phybr.mock.stock;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.fault.Fault;
import io.phybr.mock.model.Peer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * ReadRegionMeta's metas of the in-memory store, encoded straight from its columns ({@link ReportedMetas.Encoded}),
 * are byte for byte what the general path makes of the same peers built as {@link LocalPeer}s ({@code subList} +
 * {@link ReportedMetas#metasOf}): tombstones left out, peers the Raft network touched reported with their hard state,
 * report faults (reversed range, duplicate, unknown field) applied, in every run.
 */
class ReportedMetasTest {

    @Test
    void metasEncodedFromTheColumnsAreTheGeneralPathsBytes() {
        for (long seed = 1; seed <= 40; seed++) {
            Random r = new Random(seed);
            InMemoryStoreBackend store = new InMemoryStoreBackend(2);
            int regions = 1 + r.nextInt(700); // several runs of ReportedMetas.RUN, and a partial one
            long region = 0;
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < regions; i++) {
                region += 1 + r.nextInt(3);
                ids.add(region);
                long[] peers = new long[r.nextInt(5)]; // none: the service reports peer id 0
                for (int k = 0; k < peers.length; k++) {
                    peers[k] = r.nextInt(4) == 0 ? 0 : r.nextLong() >>> r.nextInt(64);
                }
                long last = r.nextInt(4) == 0 ? 0 : r.nextLong() >>> r.nextInt(64);
                store.addPeer(LocalPeer.of(region).peers(peers).lastLogTerm(r.nextInt(3) == 0 ? 0 : r.nextInt(1 << 20))
                        .lastIndex(last).commitIndex(r.nextInt(100)).version(r.nextLong() >>> r.nextInt(64))
                        .tombstone(r.nextInt(10) == 0).range(key(r), key(r)).build(), last / 2);
            }
            // the Raft network touches some peers: their hard state (term, last index, tombstone) is what is reported
            for (int i = 0; i < regions / 10; i++) {
                Peer p = store.raftPeer(ids.get(r.nextInt(regions)));
                if (p != null && !p.tombstone()) {
                    p.raiseTermTo(p.hardStateTerm() + 1 + r.nextInt(5));
                    if (r.nextInt(4) == 0) {
                        p.markTombstone();
                    }
                }
            }
            List<Fault.ReportFault> garbage = new ArrayList<>();
            for (int i = 0; i < r.nextInt(6); i++) {
                long victim = ids.get(r.nextInt(regions));
                garbage.add(switch (r.nextInt(3)) {
                    case 0 -> new Fault.ReversedRange(2, victim);
                    case 1 -> new Fault.Duplicate(2, victim);
                    default -> new Fault.UnknownField(2, victim);
                });
            }

            List<LocalPeer> peers = store.peers();
            assertThat(peers).isInstanceOf(ReportedMetas.Encoded.class);
            List<byte[]> fast = new ArrayList<>();
            ReportedMetas.of(peers, garbage).forEach(fast::add);
            List<byte[]> general = new ArrayList<>();
            for (int from = 0; from < peers.size(); from += ReportedMetas.RUN) {
                for (LocalPeer p : peers.subList(from, Math.min(peers.size(), from + ReportedMetas.RUN))) {
                    ReportedMetas.metasOf(p, garbage, general);
                }
            }
            assertThat(fast).as("seed %d", seed).hasSameSizeAs(general);
            for (int i = 0; i < fast.size(); i++) {
                assertThat(fast.get(i)).as("seed %d, meta %d", seed, i).isEqualTo(general.get(i));
            }
        }
    }

    private static byte[] key(Random r) {
        byte[] k = new byte[r.nextInt(4) == 0 ? 0 : r.nextInt(40)];
        r.nextBytes(k);
        return k;
    }
}
