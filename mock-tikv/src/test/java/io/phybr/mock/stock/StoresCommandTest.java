package io.phybr.mock.stock;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class StoresCommandTest {
    @TempDir
    Path tmp;

    @AfterEach
    void noLeaks() {
        Leaks.assertNoServersLeft();
    }

    private static final class Sink extends StringWriter {
        @Override
        public synchronized String toString() {
            return super.toString();
        }

        @Override
        public synchronized void write(String str, int off, int len) {
            super.write(str, off, len);
        }
    }

    private static int run(Sink sink, String... args) {
        CommandLine cl = new CommandLine(new StoresCommand());
        cl.setOut(new PrintWriter(sink, true));
        return cl.execute(args);
    }

    @Test
    void servesARegionDumpAndFailsTheCheckWhenNobodyRecovers() throws Exception {
        Path dump = tmp.resolve("layout.jsonl");
        Files.writeString(dump, String.join("\n",
                "{\"store\":1,\"region_id\":2,\"peer_id\":21,\"last_log_term\":6,\"last_index\":10,\"commit_index\":0,\"version\":3,\"tombstone\":false,\"start_key\":\"\",\"end_key\":\"\"}",
                "{\"store\":2,\"region_id\":2,\"peer_id\":22,\"last_log_term\":6,\"last_index\":9,\"commit_index\":0,\"version\":3,\"tombstone\":false,\"start_key\":\"\",\"end_key\":\"\"}"));
        Sink sink = new Sink();
        int code = run(sink, "--dump", dump.toString(), "--timeout", "0");
        assertThat(code).isEqualTo(1);
        assertThat(sink.toString()).contains("store 2 at").contains("FAIL: ").contains("have no leader");
        List<StockReplica> layout = StoresCommand.fromDump(dump);
        assertThat(layout).hasSize(2);
        assertThat(layout.get(0).peer().maxPeerId()).isEqualTo(21);
        assertThat(layout.get(1).peer().lastIndex()).isEqualTo(9);
    }

    @Test
    void aRecordingCutShortIsServedUpToItsLastCompleteLine() throws Exception {
        Path dump = tmp.resolve("reports.jsonl");
        Files.writeString(dump, "{\"store\":1,\"region_id\":2,\"peer_id\":21,\"last_log_term\":6,\"last_index\":10,"
                + "\"commit_index\":0,\"version\":3,\"tombstone\":false,\"start_key\":\"\",\"end_key\":\"\"}\n"
                + "{\"store\":2,\"region_id\":2,\"peer_id\":22,\"last_log_t");
        List<String> warnings = new java.util.ArrayList<>();
        List<StockReplica> layout = StoresCommand.fromDump(dump, warnings::add);
        assertThat(layout).singleElement().satisfies(r -> assertThat(r.store()).isEqualTo(1));
        assertThat(warnings).singleElement().satisfies(w -> assertThat(w).contains("dump line 2 is incomplete"));
        Sink sink = new Sink();
        CommandLine cl = new CommandLine(new StoresCommand());
        cl.setOut(new PrintWriter(sink, true));
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute("--dump", dump.toString(), "--timeout", "0")).isEqualTo(1);
        assertThat(err.toString()).contains("mock-tikv stores: warning: dump line 2 is incomplete");
        assertThat(sink.toString()).contains("store 1 at").doesNotContain("store 2 at");
    }

    @Test
    void theCheckFindsDoubleLeadersLeftoverLocksAndUnappliedPeers() {
        List<InMemoryStoreBackend> stores = MockStockCluster.backends(StockLayouts.healthy(2, 3, 9));
        // the state a broken recovery could leave: two stores lead region 100, nobody leads 102, peers unapplied
        stores.forEach(s -> java.util.stream.LongStream.of(100, 101, 102).forEach(s::raftPeer)); // silenced replicas
        stores.get(0).raftPeer(100).unsilence();
        stores.get(1).raftPeer(100).unsilence();
        stores.get(0).raftPeer(101).unsilence();
        stores.forEach(s -> s.raft().allPeers().forEach(p -> p.writeAppliedIndex(p.lastIndex() - 1)));
        stores.get(1).addKv(new InMemoryStoreBackend.Kv(new byte[] {1}, 5, true));
        List<String> problems = StockCheck.check(stores, 10);
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("region 100 has two leaders"))
                .anySatisfy(p -> assertThat(p).contains("still holds a lock"))
                .anySatisfy(p -> assertThat(p).contains("have no leader"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("not applied"));
        stores.forEach(s -> s.raft().allPeers().forEach(p -> p.applyAllPersisted()));
        assertThat(StockCheck.check(stores, 10)).noneMatch(p -> p.contains("not applied"));
    }
}
