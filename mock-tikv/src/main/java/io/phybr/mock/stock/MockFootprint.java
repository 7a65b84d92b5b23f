package io.phybr.mock.stock;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * What a generated cluster costs the mock: the stores' peer columns (exact) and the JVM's live heap after a full
 * collection (everything the mock holds, the gRPC servers included), per region. Printed by {@code stores} so a
 * capacity rehearsal says how much of the machine the mock itself took.
 */
final class MockFootprint {
    private MockFootprint() {
    }

    static String of(List<InMemoryStoreBackend> stores, long regions, double seconds) {
        long replicas = 0;
        long columns = 0;
        for (InMemoryStoreBackend b : stores) {
            replicas += b.peerCount();
            columns += b.peerBytes();
        }
        System.gc(); // a full collection (G1 and Serial both): what is left is live
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long live = heap.getUsed();
        return String.format("mock-tikv stores: generated %,d regions, %,d replicas on %d stores in %.1f s; peer columns"
                        + " %,d MiB (%.0f bytes per region); live heap after GC %,d MiB (%.0f bytes per region), max heap"
                        + " %,d MiB", regions, replicas, stores.size(), seconds, columns >> 20, (double) columns / regions,
                live >> 20, (double) live / regions, heap.getMax() >> 20);
    }
}
