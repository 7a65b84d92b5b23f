package io.phybr.adviser.protocol.seed;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Which stores a session expects and which it has seen: admission of a report stream by its
 * {@code phybr-store-id} or, without one, in arrival order; vacancies left by lost anonymous agents;
 * who is still missing. Plain data — no gRPC, no lock, no texts of its own: the session guards it
 * with its lock and {@link Diagnoses} words its refusals.
 *
 * @param <S> the handle of an open report stream (the session's {@link ReportStream}; anything in tests)
 */
final class StoreRegistry<S> {
    /** One expected (or seen) store. */
    static final class Store<S> {
        final long id;
        /** Numbered in arrival order (its agent sent no phybr-store-id). */
        final boolean anonymous;
        /** Its open {@code recover_regions} stream, or null. */
        S stream;
        /** The peer its last stream came from; a close without phybr-store-id is matched against it. */
        SocketAddress lastRemote;
        /** The stream whose complete report is in, or null. */
        S report;
        /** Metas its last lost stream had delivered, and why that stream died (null: never lost). */
        long lostAfterMetas;
        String lostBecause;

        Store(long id, boolean anonymous) {
            this.id = id;
            this.anonymous = anonymous;
        }

        boolean reported() {
            return report != null;
        }
    }

    /** Why a stream is not admitted; the session maps each to a gRPC status. */
    enum Refusal {
        /** An explicit id outside {@code --store-ids}. */
        NOT_LISTED,
        /** An explicit id that would be one store more than {@code --stores}. */
        TOO_MANY,
        /** An explicit id that did not report before the plan was made. */
        NOT_IN_PLAN,
        /** No phybr-store-id after the plan: the adviser cannot tell which commands it needs. */
        ANONYMOUS_AFTER_PLAN,
        /** No phybr-store-id and every expected store is taken. */
        NO_VACANCY,
        /** The store already has an open stream. */
        ALREADY_OPEN
    }

    /** The outcome of {@link #admit}: the store the stream belongs to, or why it is refused. */
    record Admission<S>(Store<S> store, Refusal refusal) {
        boolean admitted() {
            return refusal == null;
        }
    }

    private final long[] listed;
    private final int expected;
    private final TreeMap<Long, Store<S>> stores = new TreeMap<>();
    private long nextAnonymous = 1;

    /** Expects exactly {@code ids} (ascending, distinct). */
    static <S> StoreRegistry<S> listed(long... ids) {
        return new StoreRegistry<>(ids.clone(), ids.length);
    }

    /** Expects {@code count} stores, whatever their ids. */
    static <S> StoreRegistry<S> counted(int count) {
        return new StoreRegistry<>(null, count);
    }

    private StoreRegistry(long[] listed, int expected) {
        this.listed = listed;
        this.expected = expected;
    }

    /** The exact ids expected ({@code --store-ids}), or null when only a count is. */
    long[] listedIds() {
        return listed == null ? null : listed.clone();
    }

    int expected() {
        return expected;
    }

    /**
     * Admits a new stream: {@code explicit} is the header's id, or -1 without one. On success the
     * store exists (created on its first stream) and has no open stream; {@link #attach} it next.
     */
    Admission<S> admit(long explicit, boolean planMade) {
        long id;
        boolean anonymous = explicit < 0;
        if (!anonymous) {
            id = explicit;
            Refusal refused = checkExplicit(id, planMade);
            if (refused != null) {
                return new Admission<>(null, refused);
            }
        } else if (planMade) {
            return new Admission<>(null, Refusal.ANONYMOUS_AFTER_PLAN);
        } else {
            id = vacancy();
            if (id < 0) {
                return new Admission<>(null, Refusal.NO_VACANCY);
            }
        }
        Store<S> s = stores.get(id);
        if (s != null && s.stream != null) {
            return new Admission<>(s, Refusal.ALREADY_OPEN);
        }
        if (s == null) {
            s = new Store<>(id, anonymous);
            stores.put(id, s);
        }
        return new Admission<>(s, null);
    }

    void attach(Store<S> s, S stream, SocketAddress remote) {
        s.stream = stream;
        s.lastRemote = remote;
    }

    private Refusal checkExplicit(long id, boolean planMade) {
        if (listed != null) {
            if (!isListed(id)) {
                return Refusal.NOT_LISTED;
            }
        } else if (!stores.containsKey(id) && stores.size() >= expected) {
            return Refusal.TOO_MANY;
        }
        if (planMade && !stores.containsKey(id)) {
            return Refusal.NOT_IN_PLAN;
        }
        return null;
    }

    /** The id for an agent without phybr-store-id, or -1. */
    private long vacancy() {
        for (Store<S> s : stores.values()) {
            if (s.anonymous && s.stream == null && !s.reported()) {
                return s.id; // the vacancy a lost anonymous agent left
            }
        }
        if (listed != null) {
            for (long id : listed) {
                if (!stores.containsKey(id)) {
                    return id;
                }
            }
            return -1;
        }
        if (stores.size() >= expected) {
            return -1;
        }
        while (stores.containsKey(nextAnonymous)) {
            nextAnonymous++;
        }
        return nextAnonymous++;
    }

    private boolean isListed(long id) {
        return listed != null && Arrays.stream(listed).anyMatch(x -> x == id);
    }

    Store<S> get(long id) {
        return stores.get(id);
    }

    /** Every store seen so far, ascending by id. */
    Collection<Store<S>> all() {
        return stores.values();
    }

    /** Ids of every store seen so far, ascending. */
    List<Long> seenIds() {
        return new ArrayList<>(stores.keySet());
    }

    /** A store seen in this session, or one it expects by id. */
    boolean isMember(long id) {
        return stores.containsKey(id) || isListed(id);
    }

    long reportedCount() {
        return stores.values().stream().filter(Store::reported).count();
    }

    /** Every expected store has its complete report in. */
    boolean allReported() {
        return missing(Store::reported).isEmpty();
    }

    /**
     * Expected stores for which {@code done} does not hold, ascending; a store expected by count that
     * never connected is listed as -1 (it has no id yet).
     */
    List<Long> missing(Predicate<Store<S>> done) {
        List<Long> missing = new ArrayList<>();
        if (listed != null) {
            for (long id : listed) {
                Store<S> s = stores.get(id);
                if (s == null || !done.test(s)) {
                    missing.add(id);
                }
            }
            return missing;
        }
        for (Store<S> s : stores.values()) {
            if (!done.test(s)) {
                missing.add(s.id);
            }
        }
        for (int i = stores.size(); i < expected; i++) {
            missing.add(-1L);
        }
        return missing;
    }

    /** Listed stores that never opened a stream (empty when expecting a count). */
    List<Long> neverConnected() {
        List<Long> out = new ArrayList<>();
        if (listed != null) {
            for (long id : listed) {
                if (!stores.containsKey(id)) {
                    out.add(id);
                }
            }
        }
        return out;
    }

    /** How many stores expected by count never connected (0 when expecting ids). */
    int unseenCount() {
        return listed != null ? 0 : Math.max(0, expected - stores.size());
    }

    /** The store whose last stream came from {@code remote} (the same TCP connection), if exactly one; else -1. */
    long storeByRemote(SocketAddress remote) {
        if (!(remote instanceof InetSocketAddress)) {
            return -1; // in-process addresses only repeat the server's name
        }
        long found = -1;
        for (Store<S> s : stores.values()) {
            if (remote.equals(s.lastRemote)) {
                if (found > 0) {
                    return -1;
                }
                found = s.id;
            }
        }
        return found;
    }
}
