package io.phybr.adviser.protocol.seed;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The close barrier: every store's {@code close(workdone=true)} reply is held until every expected
 * store has closed. It counts STORES, not calls — a close counts only when it can be attributed to a
 * store that reported (by its {@code phybr-store-id}, or by the connection that store reported
 * from), a store that closes twice (an agent retrying on a new connection) counts once, and a close
 * nobody can be named for is refused and counts for nothing. Plain data; the session's lock guards it.
 *
 * @param <R> the handle of a held reply (a gRPC response observer in the session; anything in tests)
 */
final class CloseBarrier<R> {
    record Held<R>(long store, R reply) {
    }

    /** Why a close is not attributed to a store. */
    enum Unattributed {
        /** The named store is neither expected nor seen in this session. */
        NOT_A_MEMBER,
        /** work done, but the named store has no complete report in: it cannot have applied a plan. */
        NOT_REPORTED,
        /** No phybr-store-id and no store reported from the caller's connection. */
        UNKNOWN_CALLER
    }

    /** A close attributed to {@code store}, or refused for {@code why}. */
    record Attribution(long store, Unattributed why) {
        boolean attributed() {
            return why == null;
        }
    }

    private final TreeSet<Long> closed = new TreeSet<>();
    private final List<Held<R>> held = new ArrayList<>();
    private int refused;

    /**
     * Takes a close call: refused (and counted as refused) when it cannot be attributed; else its
     * reply is held and, with work done, its store counts as closed.
     */
    <S> Attribution offer(long header, SocketAddress remote, boolean workdone, StoreRegistry<S> stores, R reply) {
        Attribution a = attribute(header, remote, workdone, stores);
        if (!a.attributed()) {
            refused++;
            return a;
        }
        hold(a.store(), reply);
        if (workdone) {
            closed.add(a.store());
        }
        return a;
    }

    /** Close calls refused so far because no store that reported could be named for them. */
    int refused() {
        return refused;
    }

    /**
     * Names the store a close comes from: {@code header} is its phybr-store-id (-1 without one),
     * else the store whose stream came from {@code remote}. A close that says work was done must
     * come from a store whose report is in; a failure report only needs a member of the session.
     */
    static <S> Attribution attribute(long header, SocketAddress remote, boolean workdone, StoreRegistry<S> stores) {
        long id = header > 0 ? header : stores.storeByRemote(remote);
        if (id <= 0) {
            return new Attribution(-1, Unattributed.UNKNOWN_CALLER);
        }
        if (!stores.isMember(id)) {
            return new Attribution(id, Unattributed.NOT_A_MEMBER);
        }
        StoreRegistry.Store<S> s = stores.get(id);
        if (workdone && (s == null || !s.reported())) {
            return new Attribution(id, Unattributed.NOT_REPORTED);
        }
        return new Attribution(id, null);
    }

    /** Holds {@code reply} until the barrier is released or the session fails. */
    void hold(long store, R reply) {
        held.add(new Held<>(store, reply));
    }

    long[] closedStores() {
        return closed.stream().mapToLong(Long::longValue).toArray();
    }

    /** Expected stores that have not closed (-1 for one expected by count that never connected). */
    <S> List<Long> missing(StoreRegistry<S> stores) {
        return stores.missing(s -> closed.contains(s.id));
    }

    /** Every expected store closed. */
    <S> boolean complete(StoreRegistry<S> stores) {
        return missing(stores).isEmpty();
    }

    /** Hands over every held reply (to be answered) and forgets them. */
    List<Held<R>> release() {
        List<Held<R>> out = new ArrayList<>(held);
        held.clear();
        return out;
    }
}
