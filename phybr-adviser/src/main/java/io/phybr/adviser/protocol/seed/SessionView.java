package io.phybr.adviser.protocol.seed;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The session at one instant, for progress and metrics ({@link SeedProgress}); a copy, taken under the session's lock. */
record SessionView(Session.Phase phase, int expected, List<StoreView> stores) {
    /** One store as progress shows it. */
    record StoreView(long id, boolean connected, boolean reported, long metas, boolean closed) {
    }

    /** The view of {@code registry} and the barrier's {@code closedStores}; the caller holds the session's lock. */
    static SessionView of(Session.Phase phase, StoreRegistry<ReportStream> registry, long[] closedStores) {
        Set<Long> closed = new HashSet<>();
        for (long id : closedStores) {
            closed.add(id);
        }
        List<StoreView> out = new ArrayList<>();
        for (StoreRegistry.Store<ReportStream> st : registry.all()) {
            ReportStream r = st.report != null ? st.report : st.stream;
            out.add(new StoreView(st.id, st.stream != null || st.report != null, st.reported(),
                    r == null ? 0 : r.metas(), closed.contains(st.id)));
        }
        return new SessionView(phase, registry.expected(), out);
    }
}
