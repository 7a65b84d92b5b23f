package io.phybr.bench;

import io.phybr.adviser.plan.ReplicaTable;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;

/**
 * Heap retained per collected replica: builds the realistic layout's table and measures the live
 * heap after full GCs, with and without it. Run it under the serial collector, whose full GC
 * compacts everything, so that "used" is exactly what is live:
 * {@code java -XX:+UseSerialGC -Xmx6g -cp benchmarks/target/benchmarks.jar io.phybr.bench.MemoryFootprint 1000000}.
 */
public final class MemoryFootprint {
    private MemoryFootprint() {
    }

    public static void main(String[] args) {
        int regions = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long before = liveHeap(mem);
        ReplicaTable table = Layouts.realistic(42, regions, 3, false);
        long after = liveHeap(mem);
        long rows = table.size();
        long keyBytes = table.keyBytes();
        long retained = after - before;
        System.out.printf(Locale.ROOT,
                "regions=%d replicas=%d capacity=%d retained=%d MiB key bytes=%d MiB%n"
                        + "retained per replica: %.1f bytes, of which keys %.1f bytes, the rest %.1f bytes"
                        + " (columns at capacity; %.1f bytes per replica if the table were exactly full)%n",
                regions, rows, table.capacity(), retained >> 20, keyBytes >> 20,
                (double) retained / rows, (double) keyBytes / rows, (double) (retained - keyBytes) / rows,
                (double) (retained - keyBytes) / rows * rows / table.capacity());
        if (table.size() < 0) {
            System.out.println(table); // keep the table reachable until after the measurement
        }
    }

    private static long liveHeap(MemoryMXBean mem) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return mem.getHeapMemoryUsage().getUsed();
    }
}
