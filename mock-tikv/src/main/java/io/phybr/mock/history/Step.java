package io.phybr.mock.history;

import io.phybr.mock.model.Cluster;
import io.phybr.mock.model.Keys;
import io.phybr.mock.model.ModelException;
import io.phybr.mock.model.Peer;
import io.phybr.mock.model.StoreImage;
import java.util.List;
import java.util.stream.Collectors;

/** One line of a history; {@link #render()} gives the scenario-file line back. */
public sealed interface Step {

    /**
     * Plays the step on the model. Public only because an interface's methods are; {@link Cluster} is internal, so
     * a test hands steps to a {@code Scenario} or {@code RandomHistory} rather than calling this.
     */
    void apply(Cluster c);

    String render();

    record Region(long id, byte[] start, byte[] end, List<Long> stores, long version) implements Step {
        public void apply(Cluster c) {
            c.bootstrap(id, start, end, stores, version);
        }

        public String render() {
            return "region " + id + " " + Keys.show(start) + " " + Keys.show(end) + " on "
                    + stores.stream().map(String::valueOf).collect(Collectors.joining(" "))
                    + (version == 1 ? "" : " version " + version);
        }
    }

    /** {@code key == null}: an automatic key inside the region. {@code region == 0}: the region covering key. */
    record Write(long region, byte[] key, int count) implements Step {
        public void apply(Cluster c) {
            for (int i = 0; i < count; i++) {
                if (region == 0) {
                    c.write(key);
                } else {
                    c.write(region, key);
                }
            }
        }

        public String render() {
            return "write" + (region == 0 ? "" : " r" + region) + (key == null ? "" : " " + Keys.show(key))
                    + (count == 1 ? "" : " x" + count);
        }
    }

    record Split(long region, byte[] at, long newRegion) implements Step {
        public void apply(Cluster c) {
            c.split(region, at, newRegion);
        }

        public String render() {
            return "split r" + region + " at " + Keys.show(at) + " new r" + newRegion;
        }
    }

    record Merge(long source, long target) implements Step {
        public void apply(Cluster c) {
            c.merge(source, target);
        }

        public String render() {
            return "merge r" + source + " into r" + target;
        }
    }

    record Leader(long region, long store) implements Step {
        public void apply(Cluster c) {
            c.transferLeader(region, store);
        }

        public String render() {
            return "leader r" + region + " store " + store;
        }
    }

    /** A failed campaign in a later term; {@code voters} granted their vote (their hard-state term rises too). */
    record Campaign(long store, long region, List<Long> voters) implements Step {
        public Campaign(long store, long region) {
            this(store, region, List.of());
        }

        public Campaign {
            voters = List.copyOf(voters);
        }

        public void apply(Cluster c) {
            c.campaign(store, region, voters);
        }

        public String render() {
            return "campaign store " + store + " region " + region + (voters.isEmpty() ? "" : " votes "
                    + voters.stream().map(String::valueOf).collect(Collectors.joining(" ")));
        }
    }

    record AddPeer(long region, long store) implements Step {
        public void apply(Cluster c) {
            c.addPeer(region, store);
        }

        public String render() {
            return "add-peer r" + region + " store " + store;
        }
    }

    record RemovePeer(long region, long store) implements Step {
        public void apply(Cluster c) {
            c.removePeer(region, store);
        }

        public String render() {
            return "remove-peer r" + region + " store " + store;
        }
    }

    record Lag(long store, long region, io.phybr.mock.model.Lag mode) implements Step {
        public void apply(Cluster c) {
            c.lag(store, region, mode);
        }

        public String render() {
            return "lag store " + store + " region " + region + (mode.word.isEmpty() ? "" : " " + mode.word);
        }
    }

    record Resume(long store, long region) implements Step {
        public void apply(Cluster c) {
            c.resume(store, region);
        }

        public String render() {
            return "resume store " + store + " region " + region;
        }
    }

    record Resolved() implements Step {
        public void apply(Cluster c) {
            c.markResolved();
        }

        public String render() {
            return "resolved";
        }
    }

    /** Volume snapshots of a store: both volumes at once, or only its raft or only its kv volume (SPEC R16). */
    record Snapshot(long store, Volume volume) implements Step {
        public enum Volume { BOTH, RAFT, KV }

        public Snapshot(long store) {
            this(store, Volume.BOTH);
        }

        public void apply(Cluster c) {
            switch (volume) {
                case BOTH -> c.snapshot(store);
                case RAFT -> c.snapshotRaft(store);
                case KV -> c.snapshotKv(store);
            }
        }

        public String render() {
            return "snapshot store " + store + (volume == Volume.BOTH ? "" : " " + volume.name().toLowerCase());
        }
    }

    record Lose(long store, long region) implements Step {
        public void apply(Cluster c) {
            c.lose(store, region);
        }

        public String render() {
            return "lose store " + store + " region " + region;
        }
    }

    /**
     * A replica placed on a store's restored image exactly as given, without history: what a region
     * dump (a recorded run) says a store reported. Scenarios written by {@code mock-tikv scenario
     * --from-dump} consist of these lines.
     */
    record Replica(long store, long region, long applied, long term, long version, boolean tombstone, byte[] start,
                   byte[] end) implements Step {
        public void apply(Cluster c) {
            StoreImage img = c.liveStore(store);
            if (img.peers.containsKey(region)) {
                throw new ModelException("store " + store + " already holds a replica of region " + region);
            }
            Peer p = Peer.of(store, region).peerId(0).applied(applied).lastIndex(applied).term(term)
                    .range(start, end).version(version).confVer(1).build(); // no members: a crafted leftover
            if (tombstone) {
                p.markTombstone();
            }
            img.peers.put(region, p);
        }

        public String render() {
            return "replica store " + store + " region " + region + " applied " + applied + " term " + term
                    + " version " + version + " range " + Keys.show(start) + " " + Keys.show(end)
                    + (tombstone ? " tombstone" : "");
        }
    }
}
