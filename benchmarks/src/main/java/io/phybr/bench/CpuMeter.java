package io.phybr.bench;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The benchmark process's CPU time over an op, printed per meta: on a loaded shared machine wall time says little,
 * CPU time per meta much more (it is what the op would cost on a quiet core). With the {@code wire} sender nearly
 * all of it is the receiver's.
 */
final class CpuMeter {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final long cpu0 = OS.getProcessCpuTime();
    private final long wall0 = System.nanoTime();

    /** Prints CPU per meta, the rate that CPU time allows per core, and the load average. */
    void print(long metas) {
        long cpu = OS.getProcessCpuTime() - cpu0;
        long wall = System.nanoTime() - wall0;
        System.out.printf(Locale.ROOT, "%n[cpu] %.0f ns/meta = %.2fM metas/s per core busy; wall %.2fM metas/s; load %.1f%n",
                cpu / (double) metas, metas * 1e3 / cpu, metas * 1e3 / wall, OS.getSystemLoadAverage());
    }
}
