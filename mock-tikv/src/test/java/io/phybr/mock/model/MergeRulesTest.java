package io.phybr.mock.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.phybr.mock.scenario.ScenarioParser;
import org.junit.jupiter.api.Test;

/**
 * When the history model merges (issue 14, {@link MergeRules}): only where PD's merge checker and the source leader's
 * PrepareMerge would. Without these rules the random generator merged a region whose peer on a lagging store did not
 * exist yet; in recovery that store applied the old split, created a live peer of the region merged away and nobody
 * led it (SPEC R8's stale peers of removed or dropped regions) — 83 of 10,000 histories of run seed
 * 2081714741270035687, a state no TiKV cluster reaches. Named after R8, the hazard these rules decide the reach of.
 */
class MergeRulesTest {
    /** Keys of the shrunk history: region 1 splits at K1 into 3, which splits at K2 into 4. */
    static final String K1 = "7480000000000000ff585f728000000000ff0100000000000000fa";
    static final String K2 = "7480000000000000ff585f728000000000ff0200000000000000fa";

    private static Cluster cluster(String text) {
        Cluster c = new Cluster(java.util.List.of(1L, 2L, 3L));
        ScenarioParser.parse("t", "stores 3\n" + text + "\nexpect recovered\n").steps().forEach(s -> s.apply(c));
        return c;
    }

    /**
     * tikv {@code components/raftstore/src/store/peer.rs}: {@code pre_propose_prepare_merge} refuses while any peer's
     * {@code matched} is 0, and {@code collect_pending_peers} reports such a peer as pending ("all target peers must
     * exist during merging. (PD rely on pending_peers …)"); PD {@code pkg/schedule/checker/merge_checker.go} merges
     * only a source and a target with no pending peer ({@code filter.IsRegionHealthy}). Store 3 lags on region 1, so
     * it never applies the splits that create its peers of regions 3 and 4: neither may be merged. Once it catches up,
     * they may.
     */
    @Test
    void R8_aRegionWhosePeerALaggingStoreHasNotCreatedIsNeverMerged() {
        Cluster c = cluster("region 1 - - on 1 2 3\nlag store 3 region 1\nsplit r1 at " + K1 + " new r3\n"
                + "split r3 at " + K2 + " new r4");
        assertThat(c.liveStore(3).peer(3)).as("store 3's peer of region 3").isNull();
        assertThat(c.mergeRefusal(3, 4)).contains("region 3 has no peer on store 3 yet").contains("pending peer");
        assertThat(c.mergeRefusal(4, 3)).contains("region 4 has no peer on store 3 yet");
        assertThatThrownBy(() -> c.merge(3, 4)).isInstanceOf(ModelException.class)
                .hasMessageContaining("has no peer on store 3");

        c.resume(3, 1); // store 3 catches up region 1, applies both splits: its peers of 3 and 4 exist now
        assertThat(c.liveStore(3).peer(4)).as("store 3's peer of region 4").isNotNull();
        assertThat(c.mergeRefusal(3, 4)).isNull();
        c.merge(3, 4);
        assertThat(c.groups().get(3L).alive()).isFalse();
    }

    /**
     * raft-rs {@code src/tracker/progress.rs} {@code Progress::reset}: a new leader starts every follower at
     * {@code matched = 0}; one cut off since before that election never answers, so PrepareMerge is refused (and PD
     * sees a pending peer). Cut off within the current leader's term, it was matched and the merge goes ahead past it.
     */
    @Test
    void R8_aSourcePeerCutOffBeforeTheLeaderWasElectedBlocksTheMergeOneCutOffSinceDoesNot() {
        String layout = "region 1 - " + K1 + " on 1 2 3\nregion 2 " + K1 + " - on 1 2 3\n";
        Cluster before = cluster(layout + "lag store 3 region 2\nleader r2 store 2");
        assertThat(before.mergeRefusal(2, 1)).contains("region 2's peer on store 3 was cut off before the leader");

        Cluster since = cluster(layout + "leader r2 store 2\nlag store 3 region 2\nwrite r2 " + K2);
        assertThat(since.mergeRefusal(2, 1)).isNull();
    }

    /**
     * {@code pre_propose_prepare_merge}: the entries after the lowest matched or committed index travel with the
     * merge, and one that changes the epoch or the configuration (here a split) makes the leader refuse. Store 3
     * persists region 2's entries but never learns they committed, so the split stays in the gap.
     */
    @Test
    void R8_aSplitNotYetCommittedOnEveryPeerOfTheSourceBlocksTheMerge() {
        Cluster c = cluster("region 1 - " + K1 + " on 1 2 3\nregion 2 " + K1 + " - on 1 2 3\n"
                + "lag store 3 region 2 commit\nsplit r2 at " + K2 + " new r3\n");
        // region 3 (born of the split) exists on store 3 only once it applies the split: it does not yet
        assertThat(c.mergeRefusal(2, 1)).contains("entry").contains("Split").contains("pre_propose_prepare_merge");
        c.resume(3, 2);
        assertThat(c.mergeRefusal(2, 1)).isNull();
    }
}
