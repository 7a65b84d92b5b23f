package io.phybr.mock.pd;

import io.phybr.mock.CallLog;
import io.phybr.mock.fault.Fault;
import java.util.ArrayList;
import java.util.List;

/**
 * What the mock PD was asked and which injected fault answers the next matching call: every call is recorded (HTTP
 * and pdpb alike), each fault answers its {@code times} matching calls and then none. Thread-safe.
 */
final class PdCalls {
    private final List<PdCall> calls = new ArrayList<>();
    private final List<Fault.PdFault> faults = new ArrayList<>();
    private final List<int[]> faultLeft = new ArrayList<>();
    private volatile CallLog callLog;

    synchronized void inject(Fault.PdFault fault) {
        faults.add(fault);
        faultLeft.add(new int[] {fault.times()});
    }

    /**
     * The fault that answers this call, or null; a stalled call (which may never be answered) is recorded at once,
     * with status 0.
     */
    synchronized Fault.PdFault take(String method, String path, String query, String body) {
        Fault.PdFault f = null;
        for (int i = 0; i < faults.size() && f == null; i++) {
            if (faultLeft.get(i)[0] > 0 && faults.get(i).matches(method, path)) {
                faultLeft.get(i)[0]--;
                f = faults.get(i);
            }
        }
        if (f instanceof Fault.PdStall) {
            calls.add(new PdCall(method, path, query, body, 0));
        }
        return f;
    }

    /** A call answered with {@code status}; a write is also told to the shared call log. */
    void answered(String method, String path, String query, String body, int status) {
        synchronized (this) {
            calls.add(new PdCall(method, path, query, body, status));
        }
        CallLog log = callLog;
        if (log != null && !"GET".equals(method)) {
            log.add("pd " + method + " " + path);
        }
    }

    void log(CallLog log) {
        this.callLog = log;
    }

    synchronized List<PdCall> all() {
        return List.copyOf(calls);
    }

    /** Calls that changed something (POST/DELETE answered 2xx). */
    synchronized List<PdCall> mutating() {
        return calls.stream().filter(c -> !"GET".equals(c.method()) && c.status() / 100 == 2).toList();
    }
}
