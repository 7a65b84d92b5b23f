package io.phybr.adviser.fuzz;

import io.phybr.contract.dump.StockReport;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.phybr.adviser.dump.BackupMeta;
import io.phybr.adviser.plan.PlanOptions;
import io.phybr.adviser.plan.PlanOutcome;
import io.phybr.adviser.plan.Planner;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.Refusal;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.adviser.record.RecordedOptions;
import io.phybr.contract.ExitCode;
import io.phybr.contract.dump.DumpFormatException;
import io.phybr.contract.dump.DumpReader;
import io.phybr.contract.dump.SeedReport;
import io.phybr.contract.record.RecordedRun;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The fuzzed inputs, each answered the way the command that reads it answers: the same library calls in the same
 * order, and the same mapping of their errors to exit codes ({@code PlanCommand}, {@code RecoverCommand}, serve's
 * report stream, recover's collect, the mock's CLI). {@link CliAgreementTest} checks a sample of the same inputs
 * through the real command line, so this mapping cannot drift from it silently.
 */
final class Targets {
    private static final int BAD_INPUT = ExitCode.BAD_INPUT.code();
    private static final int REFUSED = ExitCode.REFUSED.code();
    /** A store whose ReadRegionMeta stream cannot be decoded fails its collect: exit 5 after the retries. */
    private static final int FAILURE = ExitCode.FAILURE.code();
    /** The mock's CLI answers bad scenarios with its usage code. */
    private static final int MOCK_USAGE = 2;

    private Targets() {
    }

    static List<FuzzTarget> all() {
        return List.of(dump("dump-seed", Corpus.SAMPLE_DUMP, Policy.SEED, 20_000),
                dump("dump-stock", Corpus.stockSampleDump(), Policy.BR, 15_000), manifest(), backupMeta(),
                scenario(), seedMeta(), stockMeta());
    }

    // ---- dumps, as `plan --input` reads them ------------------------------------------------------

    static FuzzTarget dump(String name, List<String> lines, Policy policy, int count) {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(Corpus.utf8(String.join("\n", lines) + "\n"));
        for (int i = 0; i + 3 <= lines.size(); i += 3) {
            seeds.add(Corpus.utf8(String.join("\n", lines.subList(i, i + 3)) + "\n"));
        }
        return new Simple(name, seeds, true, Set.of(BAD_INPUT, REFUSED), count) {
            @Override
            public Answer run(byte[] input, Path scratch) throws IOException {
                ReplicaTable t = new ReplicaTable(16);
                try {
                    DumpReader.read(new ByteArrayInputStream(input), t);
                } catch (DumpFormatException e) {
                    return new Answer(BAD_INPUT, "cannot read the dump: " + e.getMessage());
                }
                return plan(t, PlanOptions.of(policy));
            }
        };
    }

    static FuzzTarget.Answer plan(ReplicaTable t, PlanOptions options) {
        PlanOutcome outcome = Planner.plan(t, options);
        if (outcome instanceof Refusal r) {
            return new FuzzTarget.Answer(REFUSED, r.message());
        }
        return FuzzTarget.Answer.ok();
    }

    // ---- a recording's manifest.json, read by `plan --input RUN/reports.jsonl` --------------------

    static FuzzTarget manifest() {
        String m = "{\"format\":\"phybr-run/1\",\"command\":\"serve\",\"adviser_version\":\"0.1.0\",\"status\":\"finished\","
                + "\"policy\":\"seed\",\"protocol\":\"seed\",\"accept_holes\":false,\"flags\":[\"--stores\",\"3\"],"
                + "\"resolved_ts\":\"42\",\"expected_stores\":\"3\",\"stores\":[1,2,3],\"started_at\":\"2026-11-26T10:00:00Z\","
                + "\"ended_at\":null,\"dump\":\"reports.jsonl\",\"replicas\":12,\"plan\":\"plan.jsonl\",\"commands\":12,"
                + "\"verdict\":\"recovery complete\",\"diagnosis\":null,\"exit_code\":0}";
        List<byte[]> seeds = List.of(Corpus.utf8(m), Corpus.utf8(m.replace("\"seed\"", "\"br\"")
                .replace("\"status\":\"finished\"", "\"status\":\"running\"").replace(",\"exit_code\":0", "")));
        byte[] dump = Corpus.utf8(String.join("\n", Corpus.SAMPLE_DUMP) + "\n");
        return new Simple("manifest", seeds, true, Set.of(BAD_INPUT, REFUSED), 15_000) {
            @Override
            public Answer run(byte[] input, Path scratch) throws IOException {
                // read from memory, named as the manifest beside a dump in scratch: the file system is not under test
                Path manifest = scratch.resolve(RecordedRun.MANIFEST);
                PlanOptions options;
                Optional<RecordedRun> run;
                try {
                    run = Optional.of(RecordedRun.read(manifest, new ByteArrayInputStream(input)));
                    options = RecordedOptions.of(run.get());
                } catch (IOException e) {
                    return new Answer(BAD_INPUT, e.getMessage());
                }
                ReplicaTable t = new ReplicaTable(16);
                for (long s : run.get().stores()) {
                    t.declareStore(s);
                }
                DumpReader.readRecording(new ByteArrayInputStream(dump), t, w -> { });
                return plan(t, options);
            }
        };
    }

    // ---- BR's backup meta, read by `recover --backup-meta` / `serve --backup-meta` ------------------

    static FuzzTarget backupMeta() {
        List<byte[]> seeds = List.of(Corpus.utf8("{\"resolved_ts\": 434172134850871297}"),
                Corpus.utf8("{\"cluster_info\":{\"cluster_version\":\"v6.5.0\",\"full_backup_type\":\"aws-ebs\","
                        + "\"resolved_ts\":434172134850871297},\"tikv\":{\"replicas\":3,\"stores\":[{\"store_id\":1,"
                        + "\"volumes\":[{\"volume_id\":\"vol-1\",\"type\":\"raft-engine.dir\",\"mount_path\":\"/var/lib/tikv\","
                        + "\"snapshot_id\":\"snap-1\"}]},{\"store_id\":2},{\"store_id\":3}]},"
                        + "\"tiflash\":{\"replicas\":0,\"stores\":[]}}"));
        return new Simple("backup-meta", seeds, true, Set.of(BAD_INPUT), 20_000) {
            @Override
            public Answer run(byte[] input, Path scratch) throws IOException {
                try {
                    BackupMeta.Info info = BackupMeta.read(new ByteArrayInputStream(input));
                    if (info.resolvedTs() == 0) {
                        throw new AssertionError("a backup meta was taken with resolved_ts 0, which deletes every key");
                    }
                    return Answer.ok();
                } catch (IOException e) {
                    return new Answer(BAD_INPUT, "cannot read backup meta backupmeta.json: " + e.getMessage());
                }
            }
        };
    }

    // ---- scenario files (.scn), as every mock-tikv command reads them --------------------------------

    static FuzzTarget scenario() {
        return new Simple("scenario", Corpus.scenarios(), true, Set.of(MOCK_USAGE), 10_000) {
            @Override
            public Answer run(byte[] input, Path scratch) {
                try {
                    // ScenarioParser.parse(Path) reads strict UTF-8; a bad byte is its ScenarioException
                    String text;
                    try {
                        text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(input)).toString();
                    } catch (java.nio.charset.CharacterCodingException e) {
                        throw new io.phybr.mock.scenario.ScenarioException("cannot read scenario file fuzz.scn: " + e.getMessage());
                    }
                    Scenario s = ScenarioParser.parse("fuzz", text);
                    s.run();
                    // what the mock writes (scenario --from-dump, shrinking) must read back the same
                    Scenario again = ScenarioParser.parse(s.name(), s.render());
                    if (!again.render().equals(s.render())) {
                        throw new AssertionError("render does not round-trip:\n" + s.render() + "\nvs\n" + again.render());
                    }
                    return Answer.ok();
                } catch (IllegalArgumentException e) { // ScenarioException, ModelException: MockTikvMain
                    return new Answer(MOCK_USAGE, "mock-tikv: " + e.getMessage());
                }
            }
        };
    }

    // ---- one seed-protocol RegionMeta from store 3, as serve's report stream takes it ----------------

    static FuzzTarget seedMeta() {
        List<String> rows = Corpus.SAMPLE_DUMP;
        List<byte[]> seeds = new ArrayList<>();
        for (String l : rows) {
            seeds.add(io.phybr.proto.seed.RegionMeta.newBuilder().setRegionId(num(l, "region_id"))
                    .setAppliedIndex(num(l, "applied_index")).setTerm(num(l, "term")).setVersion(num(l, "version"))
                    .setTombstone(l.contains("\"tombstone\":true")).setStartKey(key(l, "start_key"))
                    .setEndKey(key(l, "end_key")).build().toByteArray());
        }
        return new Simple("seed-region-meta", seeds, false, Set.of(REFUSED, FAILURE), 12_000) {
            @Override
            public Answer run(byte[] input, Path scratch) throws IOException {
                io.phybr.proto.seed.RegionMeta m;
                try {
                    m = io.phybr.proto.seed.RegionMeta.parseFrom(input);
                } catch (InvalidProtocolBufferException e) {
                    // serve ends the stream naming the cause; a store that never reports again fails collect
                    return new Answer(FAILURE, "store 3 sent a message that is not a RegionMeta ("
                            + e.getMessage() + ")");
                }
                if (!m.getUnknownFields().asMap().isEmpty()) {
                    return new Answer(REFUSED, "store 3 region " + Long.toUnsignedString(m.getRegionId())
                            + ": the meta carries unknown protobuf field(s)");
                }
                ReplicaTable t = othersThan(rows, m.getRegionId(), Policy.SEED);
                t.addSeed(new SeedReport().store(3).region(m.getRegionId()).appliedIndex(m.getAppliedIndex())
                        .term(m.getTerm()).version(m.getVersion()).tombstone(m.getTombstone())
                        .keys(m.getStartKey().isEmpty() ? null : m.getStartKey().toByteArray(),
                                m.getEndKey().isEmpty() ? null : m.getEndKey().toByteArray()));
                return plan(t, PlanOptions.of(Policy.SEED));
            }
        };
    }

    // ---- one recoverdata RegionMeta from store 3, as recover's collect takes it ----------------------

    static FuzzTarget stockMeta() {
        List<String> rows = Corpus.stockSampleDump();
        List<byte[]> seeds = new ArrayList<>();
        for (String l : rows) {
            seeds.add(io.phybr.proto.recoverdata.RegionMeta.newBuilder().setRegionId(num(l, "region_id"))
                    .setPeerId(num(l, "peer_id")).setLastLogTerm(num(l, "last_log_term"))
                    .setLastIndex(num(l, "last_index")).setCommitIndex(num(l, "commit_index"))
                    .setVersion(num(l, "version")).setTombstone(l.contains("\"tombstone\":true"))
                    .setStartKey(key(l, "start_key")).setEndKey(key(l, "end_key")).build().toByteArray());
        }
        return new Simple("recoverdata-region-meta", seeds, false, Set.of(REFUSED, FAILURE), 12_000) {
            @Override
            public Answer run(byte[] input, Path scratch) throws IOException {
                io.phybr.proto.recoverdata.RegionMeta m;
                try {
                    m = io.phybr.proto.recoverdata.RegionMeta.parseFrom(input);
                } catch (InvalidProtocolBufferException e) {
                    // gRPC fails the ReadRegionMeta call; after the retries recover names the store
                    return new Answer(FAILURE, "store 3 failed: its ReadRegionMeta answer cannot be decoded ("
                            + e.getMessage() + ")");
                }
                ReplicaTable t = othersThan(rows, m.getRegionId(), Policy.BR);
                t.addStock(new StockReport().store(3).region(m.getRegionId()).peerId(m.getPeerId())
                        .lastLogTerm(m.getLastLogTerm()).lastIndex(m.getLastIndex()).commitIndex(m.getCommitIndex())
                        .version(m.getVersion()).tombstone(m.getTombstone())
                        .keys(m.getStartKey().toByteArray(), m.getEndKey().toByteArray()));
                return plan(t, PlanOptions.of(Policy.BR));
            }
        };
    }

    /** The sample layout without store 3's replica of {@code region}: the fuzzed meta takes its place. */
    private static ReplicaTable othersThan(List<String> rows, long region, Policy policy) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String l : rows) {
            if (!(num(l, "store") == 3 && num(l, "region_id") == region)) {
                b.append(l).append('\n');
            }
        }
        ReplicaTable t = new ReplicaTable(16);
        DumpReader.read(new ByteArrayInputStream(b.toString().getBytes(StandardCharsets.UTF_8)), t);
        return t;
    }

    private static long num(String line, String field) {
        return Long.parseLong(Corpus.field(line, field));
    }

    private static ByteString key(String line, String field) {
        int at = line.indexOf("\"" + field + "\":\"") + field.length() + 4;
        return ByteString.copyFrom(HexFormat.of().parseHex(line.substring(at, line.indexOf('"', at))));
    }

    /** A target from its data; {@link #run} is the only behaviour. */
    abstract static class Simple implements FuzzTarget {
        private final String name;
        private final List<byte[]> seeds;
        private final boolean text;
        private final Set<Integer> refusals;
        private final int count;

        Simple(String name, List<byte[]> seeds, boolean text, Set<Integer> refusals, int count) {
            this.name = name;
            this.seeds = List.copyOf(seeds);
            this.text = text;
            this.refusals = Set.copyOf(refusals);
            this.count = count;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public List<byte[]> seeds() {
            return seeds;
        }

        @Override
        public boolean text() {
            return text;
        }

        @Override
        public Set<Integer> refusals() {
            return refusals;
        }

        @Override
        public int count() {
            return count;
        }
    }
}
