package io.phybr.mock.scenario;

import io.phybr.mock.history.Step;
import io.phybr.mock.model.Lag;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The history keywords of a scenario file ({@code region}, {@code write}, {@code split}, {@code leader},
 * {@code lag}, {@code replica}, ...): each such line is one {@link Step} of the scripted history. The file-level
 * keywords (stores, faults, options, expectations) are read by {@link ScenarioParser}.
 */
final class StepLines {
    private final LineWords w;

    StepLines(LineWords w) {
        this.w = w;
    }

    /**
     * The step line {@code t} (its words) says; an unknown keyword is a scenario error naming the line. The line's
     * keyword is read in any capitalisation, as {@link ScenarioParser} reads the file-level ones — every test of it
     * goes through {@code keyword} (comparing {@code t[0]} itself once made {@code ADD-PEER} a remove-peer).
     */
    Step parse(String[] t) {
        String keyword = t[0].toLowerCase(Locale.ROOT);
        switch (keyword) {
            case "region" -> {
                // region ID START END on S S S [version V]
                if (t.length < 6 || !t[4].equals("on")) {
                    throw w.err("expected 'region ID START END on STORE...' (keys in hex, '-' for empty)");
                }
                long id = w.region(t[1]);
                List<Long> on = new ArrayList<>();
                long version = 1;
                for (int i = 5; i < t.length; i++) {
                    if (t[i].equals("version")) {
                        if (i + 1 >= t.length) {
                            throw w.err("'version' needs a number");
                        }
                        version = w.num(t[i + 1], "version");
                        i++;
                    } else {
                        on.add(w.num(t[i], "store id"));
                    }
                }
                return new Step.Region(id, w.key(t[2]), w.key(t[3]), on, version);
            }
            case "write" -> {
                long region = 0;
                byte[] key = null;
                int count = 1;
                for (int i = 1; i < t.length; i++) {
                    if (t[i].matches("r\\d+")) {
                        region = w.region(t[i]);
                    } else if (t[i].matches("x\\d+")) {
                        count = (int) w.num(t[i].substring(1), "count");
                    } else {
                        key = w.key(t[i]);
                    }
                }
                if (region == 0 && key == null) {
                    throw w.err("expected 'write KEY', 'write rID [KEY]' or 'write rID xN'");
                }
                return new Step.Write(region, key, count);
            }
            case "split" -> {
                if (t.length != 6 || !t[2].equals("at") || !t[4].equals("new")) {
                    throw w.err("expected 'split rID at KEY new rID'");
                }
                return new Step.Split(w.region(t[1]), w.key(t[3]), w.region(t[5]));
            }
            case "merge" -> {
                if (t.length != 4 || !t[2].equals("into")) {
                    throw w.err("expected 'merge rSOURCE into rTARGET'");
                }
                return new Step.Merge(w.region(t[1]), w.region(t[3]));
            }
            case "leader" -> {
                if (t.length != 4 || !t[2].equals("store")) {
                    throw w.err("expected 'leader rID store S'");
                }
                return new Step.Leader(w.region(t[1]), w.num(t[3], "store id"));
            }
            case "campaign" -> {
                // campaign store S region R [votes S S ...]
                boolean votes = t.length > 5 && t[5].equals("votes");
                if (t.length > 5 && (!votes || t.length == 6)) {
                    throw w.err("expected 'campaign store S region R [votes STORE...]'");
                }
                long[] sr = w.storeRegion(t.length > 5 ? Arrays.copyOf(t, 5) : t, "campaign store S region R [votes STORE...]");
                List<Long> voters = new ArrayList<>();
                for (int i = 6; i < t.length; i++) {
                    voters.add(w.num(t[i], "store id"));
                }
                return new Step.Campaign(sr[0], sr[1], voters);
            }
            case "add-peer", "remove-peer" -> {
                if (t.length != 4 || !t[2].equals("store")) {
                    throw w.err("expected '" + t[0] + " rID store S'");
                }
                long r = w.region(t[1]);
                long s = w.num(t[3], "store id");
                return keyword.equals("add-peer") ? new Step.AddPeer(r, s) : new Step.RemovePeer(r, s);
            }
            case "lag" -> {
                Lag mode = t.length == 6 ? Lag.of(t[5]) : Lag.CUT;
                if (t.length == 6 && (mode == null || mode == Lag.CUT)) {
                    throw w.err("expected 'lag store S region R [apply|commit]'");
                }
                long[] sr = w.storeRegion(t.length == 6 ? Arrays.copyOf(t, 5) : t, "lag store S region R [apply|commit]");
                return new Step.Lag(sr[0], sr[1], mode);
            }
            case "resume" -> {
                long[] sr = w.storeRegion(t, "resume store S region R");
                return new Step.Resume(sr[0], sr[1]);
            }
            case "lose" -> {
                long[] sr = w.storeRegion(t, "lose store S region R");
                return new Step.Lose(sr[0], sr[1]);
            }
            case "resolved" -> {
                w.need(t, 1, "resolved");
                return new Step.Resolved();
            }
            case "snapshot" -> {
                Step.Snapshot.Volume v = t.length == 4 && t[3].equals("raft") ? Step.Snapshot.Volume.RAFT
                        : t.length == 4 && t[3].equals("kv") ? Step.Snapshot.Volume.KV
                        : t.length == 3 ? Step.Snapshot.Volume.BOTH : null;
                if (v == null || !t[1].equals("store")) {
                    throw w.err("expected 'snapshot store S [raft|kv]'");
                }
                return new Step.Snapshot(w.num(t[2], "store id"), v);
            }
            case "replica" -> {
                return replica(t);
            }
            default -> throw w.err("unknown step '" + t[0] + "'");
        }
    }

    /** {@code replica store S region R applied A term T version V range START END [tombstone]}. */
    private Step.Replica replica(String[] t) {
        String form = "replica store S region R applied A term T version V range START END [tombstone]";
        boolean tomb = t.length == 15 && t[14].equals("tombstone");
        if (t.length != 14 && !tomb || !t[1].equals("store") || !t[3].equals("region") || !t[5].equals("applied")
                || !t[7].equals("term") || !t[9].equals("version") || !t[11].equals("range")) {
            throw w.err("expected '" + form + "'");
        }
        return new Step.Replica(w.num(t[2], "store id"), w.region(t[4]), w.num(t[6], "applied index"),
                w.num(t[8], "term"), w.num(t[10], "version"), tomb, w.key(t[12]), w.key(t[13]));
    }
}
