package io.phybr.mock.gen;

import io.phybr.mock.history.Step;
import io.phybr.mock.scenario.Expectation;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioParser;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Draws a random but realistic history from a seed: writes, splits, merges, leader changes, peer
 * moves, lagging followers and failed campaigns, then a resolved ts and volume snapshots taken one
 * store after another while the cluster keeps running. The same seed and options always give the
 * same scenario; {@link Scenario#render()} turns it into a replayable scenario file.
 *
 * <p>By default the declared regions hold their first elections before the first move is drawn
 * ({@link Options#withFirstElections}), so moves are drawn against elected regions from the first step: merges, peer
 * moves and displaced regions (a merge source one store had not destroyed when it was snapshotted) appear in every
 * part of a history. A merge is drawn only where PD and TiKV would merge ({@code Cluster#mergeRefusal}).
 */
public final class RandomHistory {
    /**
     * Region boundaries and written keys are record keys of TiDB table 88 (then 89, … past a million rows):
     * row {@code n} is key ordinal {@code n} of {@link #KEYS}.
     */
    static final RecordKeys KEYS = new RecordKeys(88, 1_000_000);
    /** Rows of the key space of a history of up to 1,000 regions; larger ones get 1,000 rows per region. */
    static final long MIN_ROWS = 1_000_000;

    /** The moves a history is drawn from; each has a weight in {@link Options}. */
    public enum Move { WRITE, SPLIT, MERGE, LEADER, MOVE, LAG, RESUME, CAMPAIGN, DEPOSE }

    /**
     * Sizes and rates (weights) of each {@link Move}, and whether the declared regions are elected before the first
     * draw ({@code electFirst}, {@link #withFirstElections}). 0 for a size means "drawn from the seed". Start from
     * {@link #defaults()} and name what differs: {@code defaults().withSizes(3, 0, 0).without(Move.LAG)}.
     */
    public record Options(int stores, int regions, int steps, int write, int split, int merge, int leader,
                          int move, int lag, int resume, int campaign, int depose, boolean electFirst) {
        /**
         * The default rates, as a TiKV cluster runs before its backup. {@link Move#CAMPAIGN} — a replica cut off from
         * the others campaigning in vain, which raises its hard-state term — is off: TiKV runs Raft with pre-vote by
         * default (tikv {@code components/raftstore/src/store/config.rs}: {@code prevote: true}), and a pre-candidate
         * does not raise its term or change its vote (raft-rs {@code src/raft.rs} {@code become_pre_candidate}), so a
         * cut-off replica's failed campaign leaves its hard state as it was. With it on, the generator drew states a
         * default cluster never reaches, and some are ones no rank of the reports can recover safely (issue 14: seeds
         * 5070 and 5718 of the former defaults, snapshot skew beside a failed campaign; see
         * {@code PolicyFields#capIndex}). {@code withWeight(Move.CAMPAIGN, 3)} draws them as before, for a cluster
         * run with {@code raftstore.prevote = false}; scenario files still script campaigns.
         */
        public static Options defaults() {
            return new Options(0, 0, 0, 30, 14, 8, 8, 6, 12, 4, 0, 3,
                    !"false".equals(System.getProperty(FIRST_ELECTIONS_PROPERTY)));
        }

        /**
         * The one flag that opts every random-history test out of {@link #withFirstElections first elections}:
         * {@code -Dphybr.random.firstElections=false} makes {@link #defaults()} draw as the generator did before
         * issue 14 (a fixed corpus that needs that generator names it in code with {@code withFirstElections(false)}).
         */
        public static final String FIRST_ELECTIONS_PROPERTY = "phybr.random.firstElections";

        /**
         * The same rates, drawn against a cluster whose declared regions held their first elections before the first
         * draw ({@code on}, the default since issue 14, session 9) or not. In TiKV no region's peers exist before a
         * leader made them: the first region is bootstrapped with one peer, which elects itself, and every later
         * region is born of a split its leader applied, whose new peer on that leader's store campaigns at once (tikv
         * {@code components/raftstore/src/store/fsm/peer.rs} {@code on_ready_split_region} →
         * {@code maybe_campaign(is_leader)}), or of PD's conf changes through such a leader. So a real cluster's
         * regions are elected from their first moment; the generator's declared regions stand for that history.
         *
         * <p>Without it, every move drawn before some step started the model's history found no elected region and
         * added nothing: the first half of a history (up to the resolved ts) was empty, so no merge and no peer move
         * was ever drawn (the scheduler window forbids them after it), and with them no displaced region (a merge
         * source whose target one store had not applied when it was snapshotted). With it, about 3 histories in 8
         * hold a displaced region. Its 83 "region N has no leader" breaks in 10,000 (run seed 2081714741270035687)
         * were merges of a region whose peer on a lagging store did not exist yet, which PD and TiKV refuse: the model
         * refuses them now ({@code Cluster#mergeRefusal}). History 1113446058281858334 (run seed
         * 1113446058281852475) broke the flashback finish: a forced leader whose applied configuration predated an
         * AddPeer never replicated to the added voter after applying it, so a later split never reached that store
         * and its newer writes stayed visible — the mock's Raft network, fixed in {@code RaftNet#settle} (scenario
         * {@code leader-applies-add-peer-after-election}). Seeds quoted before session 9 under the defaults (1536,
         * 1950, 5070, 5718, 20261126002, …) name histories drawn with {@code withFirstElections(false)}.
         */
        public Options withFirstElections(boolean on) {
            return new Options(stores, regions, steps, write, split, merge, leader, move, lag, resume, campaign,
                    depose, on);
        }

        /** Stores, initial regions and steps (0: drawn from the seed). */
        public Options withSizes(int stores, int regions, int steps) {
            return new Options(stores, regions, steps, write, split, merge, leader, move, lag, resume, campaign,
                    depose, electFirst);
        }

        /** The same options with {@code move} drawn at weight {@code weight} (0: never). */
        public Options withWeight(Move m, int weight) {
            if (weight < 0) {
                throw new IllegalArgumentException("a weight is 0 or more, not " + weight);
            }
            return new Options(stores, regions, steps,
                    m == Move.WRITE ? weight : write, m == Move.SPLIT ? weight : split,
                    m == Move.MERGE ? weight : merge, m == Move.LEADER ? weight : leader,
                    m == Move.MOVE ? weight : move, m == Move.LAG ? weight : lag,
                    m == Move.RESUME ? weight : resume, m == Move.CAMPAIGN ? weight : campaign,
                    m == Move.DEPOSE ? weight : depose, electFirst);
        }

        /** The same options with these moves never drawn. */
        public Options without(Move... moves) {
            Options o = this;
            for (Move m : moves) {
                o = o.withWeight(m, 0);
            }
            return o;
        }
    }

    private final SplittableRandom rng;
    private final Options opt;
    private final List<Long> storeIds = new ArrayList<>();

    private RandomHistory(long seed, Options opt) {
        this.rng = new SplittableRandom(seed);
        this.opt = opt;
        int s = opt.stores() > 0 ? opt.stores() : pick(new int[] {3, 3, 3, 4, 5, 5, 7});
        for (long i = 1; i <= s; i++) {
            storeIds.add(i);
        }
    }

    private int pick(int[] choices) {
        return choices[rng.nextInt(choices.length)];
    }

    public static Scenario generate(long seed, Options options) {
        return new RandomHistory(seed, options).run(seed).scenario();
    }

    /**
     * A generated history and the backup its generation already ran: the generator applies every step to a model
     * cluster as it draws it, so {@code backup} equals {@code scenario().run()} without running the model twice (the
     * model's run is most of a history's cost where thousands run per test).
     */
    public record Generated(Scenario scenario, io.phybr.mock.model.Backup backup) {
    }

    /** {@link #generate} and the backup of its history (see {@link Generated}). */
    public static Generated generateAndRun(long seed, Options options) {
        return new RandomHistory(seed, options).run(seed);
    }

    private Generated run(long seed) {
        boolean big = rng.nextInt(8) == 0; // one history in eight is larger
        int regions = opt.regions() > 0 ? opt.regions() : big ? 6 + rng.nextInt(15) : 1 + rng.nextInt(5);
        int total = opt.steps() > 0 ? opt.steps() : big ? 80 + rng.nextInt(120) : 20 + rng.nextInt(50);
        long rowLimit = Math.max(MIN_ROWS, regions * 1000L);
        HistoryMoves moves = new HistoryMoves(rng, storeIds, rowLimit, opt.lag() > 0, opt.electFirst());
        TreeSet<Long> cuts = new TreeSet<>();
        while (cuts.size() < regions - 1) {
            cuts.add(1 + rng.nextLong(rowLimit - 2));
        }
        List<Long> bounds = new ArrayList<>();
        bounds.add(-1L);
        bounds.addAll(cuts);
        bounds.add(rowLimit);
        moves.regions(bounds);
        int resolvedAt = total / 2 + rng.nextInt(total / 2 + 1);
        List<Long> snapOrder = new ArrayList<>(storeIds);
        moves.shuffle(snapOrder);
        TreeMap<Integer, List<Long>> snapAt = new TreeMap<>();
        for (long s : snapOrder) {
            int at = resolvedAt + rng.nextInt(total - resolvedAt + 2);
            snapAt.computeIfAbsent(at, k -> new ArrayList<>()).add(s);
        }
        for (int i = 0; i <= total + 1; i++) {
            // BR pauses PD's schedulers for the snapshot window: from the resolved ts on, no merges and
            // no peer moves; TiKV still splits, elects leaders and lags on its own.
            boolean window = i >= resolvedAt;
            int merge = window ? 0 : opt.merge();
            int moveW = window ? 0 : opt.move();
            int weightSum = opt.write() + opt.split() + merge + opt.leader() + moveW + opt.lag() + opt.resume()
                    + opt.campaign() + opt.depose();
            if (i == resolvedAt) {
                moves.do_(new Step.Resolved());
            }
            for (long s : snapAt.getOrDefault(i, List.of())) {
                moves.do_(new Step.Snapshot(s));
            }
            if (i >= total || weightSum == 0) {
                continue;
            }
            int w = rng.nextInt(weightSum);
            if ((w -= opt.write()) < 0) {
                moves.write();
            } else if ((w -= opt.split()) < 0) {
                moves.split();
            } else if ((w -= merge) < 0) {
                moves.merge();
            } else if ((w -= opt.leader()) < 0) {
                moves.leader();
            } else if ((w -= moveW) < 0) {
                moves.move();
            } else if ((w -= opt.lag()) < 0) {
                moves.lag();
            } else if ((w -= opt.resume()) < 0) {
                moves.resume();
            } else if ((w -= opt.campaign()) < 0) {
                moves.campaign();
            } else {
                moves.depose();
            }
        }
        List<String> desc = List.of("random history, seed " + seed + " (generated by mock-tikv; replay with "
                + "'phybr-rehearsal --scenario FILE')");
        return new Generated(new Scenario("random-" + seed, desc, storeIds, moves.steps(), List.of(), List.of(),
                Expectation.RECOVERED, ScenarioParser.DEFAULT_COLLECT_TIMEOUT, ScenarioParser.DEFAULT_CLOSE_TIMEOUT),
                moves.finish());
    }
}
