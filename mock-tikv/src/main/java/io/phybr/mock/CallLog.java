package io.phybr.mock;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One ordered log shared by a mock PD and its mock stores, so a test can pin the order of PD calls against store
 * calls (SPEC §3: PD's base alloc id is raised before any RecoverRegion). Entries read {@code "pd POST /path"} and
 * {@code "store 2 RecoverRegion"}; a PD call is logged once PD applied it, a store call when it arrives.
 */
public final class CallLog {
    private final List<String> entries = new ArrayList<>();
    private volatile Consumer<String> listener = e -> { };

    public void add(String entry) {
        synchronized (this) {
            entries.add(entry);
        }
        listener.accept(entry); // outside the lock: a listener that blocks (a test killing the adviser) holds only its call
    }

    /**
     * Calls {@code l} with every entry once it is logged, on the thread of the call it logs, before that call goes on
     * (a PD write is applied but not yet answered; a store call has arrived but not been served): a test can end the
     * adviser at exactly that point.
     */
    public void onEntry(Consumer<String> l) {
        this.listener = l;
    }

    public synchronized List<String> entries() {
        return List.copyOf(entries);
    }

    /** Index of the first entry equal to {@code entry}, or -1. */
    public synchronized int first(String entry) {
        return entries.indexOf(entry);
    }

    /** Index of the first entry ending with {@code suffix} (e.g. {@code " RecoverRegion"}), or -1. */
    public synchronized int firstEndingWith(String suffix) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).endsWith(suffix)) {
                return i;
            }
        }
        return -1;
    }
}
