package io.phybr.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The benchmark process's CPU time over an op, printed per meta: on a loaded shared machine wall time says little,
 * CPU time per meta much more (it is what the op would cost on a quiet core). With the {@code wire} sender nearly
 * all of it is the receiver's. A second line splits it by thread group (a thread's name less its numbers: the
 * senders' threads and event loops, the receiver's event loops, ...) and names what no live thread accounts for
 * (garbage collection, the JIT, threads that ended during the op) {@code other}: which end costs what.
 */
final class CpuMeter {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final long cpu0 = OS.getProcessCpuTime();
    private final long wall0 = System.nanoTime();
    private final Map<Long, Long> threads0 = threadCpu();

    /** Prints CPU per meta, the rate that CPU time allows per core, the load average, and CPU per meta by thread group. */
    void print(long metas) {
        long cpu = OS.getProcessCpuTime() - cpu0;
        long wall = System.nanoTime() - wall0;
        System.out.printf(Locale.ROOT, "%n[cpu] %.0f ns/meta = %.2fM metas/s per core busy; wall %.2fM metas/s; load %.1f%n",
                cpu / (double) metas, metas * 1e3 / cpu, metas * 1e3 / wall, OS.getSystemLoadAverage());
        Map<String, Long> groups = new TreeMap<>();
        long accounted = 0;
        for (Map.Entry<Long, Long> t : threadCpu().entrySet()) {
            ThreadInfo info = THREADS.getThreadInfo(t.getKey());
            long used = t.getValue() - threads0.getOrDefault(t.getKey(), 0L);
            if (info != null && used > 0) {
                groups.merge(info.getThreadName().replaceAll("[-#]?\\d+", ""), used, Long::sum);
                accounted += used;
            }
        }
        StringBuilder line = new StringBuilder("[cpu by thread, ns/meta]");
        groups.forEach((name, ns) -> {
            if (ns / metas > 0) {
                line.append(' ').append(name).append('=').append(ns / metas);
            }
        });
        System.out.println(line.append(" other=").append(Math.max(0, cpu - accounted) / metas));
    }

    private static Map<Long, Long> threadCpu() {
        Map<Long, Long> m = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long ns = THREADS.getThreadCpuTime(id);
            if (ns >= 0) {
                m.put(id, ns);
            }
        }
        return m;
    }
}
