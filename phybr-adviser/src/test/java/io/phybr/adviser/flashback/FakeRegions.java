package io.phybr.adviser.flashback;

import io.grpc.Deadline;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A scripted PD and TiKV for the flashback walk, MockWebServer style: regions (range, epoch, leader) that a test
 * sets up and changes, replies queued per call and region that are answered before the region's own state decides,
 * and a log of every call to inspect afterwards. The region state follows TiKV: prepare puts a region in the
 * flashback state with a start ts (idempotent, a new start ts overwrites); flashback answers FlashbackNotPrepared
 * outside it and, done, leaves it; a request whose epoch or leader is stale gets EpochNotMatch / NotLeader.
 */
final class FakeRegions implements PdRoutes, RegionCalls {
    /** One region as TiKV holds it. */
    static final class Region {
        final long id;
        byte[] start;
        byte[] end;
        long confVer = 1;
        long version;
        long leaderStore;
        long prepared; // flashback start ts, 0 = not in the flashback state
        int flashbacks;
        boolean inPd = true;
        // What PD says when it differs from TiKV (a late heartbeat): null / -1 = as TiKV
        byte[] pdEnd;
        long pdVersion = -1;
        long pdLeader = -1;

        Region(long id, byte[] start, byte[] end, long version, long leaderStore) {
            this.id = id;
            this.start = start;
            this.end = end;
            this.version = version;
            this.leaderStore = leaderStore;
        }

        RegionRoute route() {
            return new RegionRoute(id, start, end, confVer, version, id * 100 + leaderStore, leaderStore);
        }

        RegionRoute pdRoute() {
            long leader = pdLeader >= 0 ? pdLeader : leaderStore;
            return new RegionRoute(id, start, pdEnd != null ? pdEnd : end, confVer, pdVersion >= 0 ? pdVersion : version,
                    leader == 0 ? 0 : id * 100 + leader, leader);
        }
    }

    final Map<Long, Region> regions = new TreeMap<>();
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Deque<Reply>> scripted = new HashMap<>();
    long tso = 1_000_000;

    Region add(long id, String start, String end, long version, long leaderStore) {
        Region r = new Region(id, bytes(start), bytes(end), version, leaderStore);
        regions.put(id, r);
        return r;
    }

    static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** The next {@code call} ("prepare"/"flashback") to {@code region} answers {@code reply} instead. */
    synchronized FakeRegions script(String call, long region, Reply... replies) {
        scripted.computeIfAbsent(call + " " + region, k -> new ArrayDeque<>()).addAll(Arrays.asList(replies));
        return this;
    }

    @Override
    public synchronized long tso() {
        return ++tso;
    }

    @Override
    public synchronized Optional<RegionRoute> region(byte[] key) {
        calls.add("pd region " + new String(key, java.nio.charset.StandardCharsets.ISO_8859_1));
        for (Region r : regions.values()) {
            if (r.inPd && r.pdRoute().contains(key)) {
                return Optional.of(r.pdRoute());
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized List<RegionRoute> scan(byte[] start, int limit) {
        List<RegionRoute> out = new ArrayList<>();
        regions.values().stream().filter(r -> r.inPd).map(Region::pdRoute)
                .filter(r -> r.end().length == 0 || Arrays.compareUnsigned(r.end(), start) > 0)
                .sorted((a, b) -> Arrays.compareUnsigned(a.start(), b.start())).limit(limit).forEach(out::add);
        return out;
    }

    @Override
    public void close() {
    }

    @Override
    public Reply prepare(RegionRoute route, byte[] startKey, byte[] endKey, FlashbackTs ts, Deadline deadline) {
        return answer("prepare", route, ts);
    }

    @Override
    public Reply flashback(RegionRoute route, byte[] startKey, byte[] endKey, FlashbackTs ts, Deadline deadline) {
        return answer("flashback", route, ts);
    }

    private synchronized Reply answer(String call, RegionRoute route, FlashbackTs ts) {
        calls.add(call + " " + route.regionId() + " @" + route.leaderStore() + " ts " + ts.startTs());
        Deque<Reply> q = scripted.get(call + " " + route.regionId());
        if (q != null && !q.isEmpty()) {
            return q.poll();
        }
        Region r = regions.get(route.regionId());
        if (r == null) {
            return new Reply.RegionNotFound("region " + route.regionId() + " not found");
        }
        if (r.leaderStore != route.leaderStore()) {
            return new Reply.NotLeader(r.id * 100 + r.leaderStore, r.leaderStore, "not leader");
        }
        if (r.version != route.version() || r.confVer != route.confVer()) {
            List<RegionRoute> current = new ArrayList<>();
            regions.values().stream().filter(x -> x.leaderStore == route.leaderStore()).forEach(x -> current.add(x.route()));
            return new Reply.EpochNotMatch(current, "stale epoch");
        }
        if (call.equals("prepare")) {
            r.prepared = ts.startTs();
            return new Reply.Done();
        }
        if (r.prepared == 0) {
            return new Reply.FlashbackNotPrepared("region " + r.id + " is not prepared for the flashback");
        }
        r.flashbacks++;
        r.prepared = 0;
        return new Reply.Done();
    }

    /** The calls of one kind, in order. */
    List<String> calls(String prefix) {
        synchronized (calls) {
            return calls.stream().filter(c -> c.startsWith(prefix)).toList();
        }
    }
}
