package io.phybr.rehearsal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.stock.StockRecovery;
import io.phybr.contract.ExitCode;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.StoresCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code mock-tikv stores} served on loopback and recovered by phybr's own {@link StockRecovery}, as by hand. */
class StoresCommandRecoveryTest {
    @AfterEach
    void noLeaks() {
        assertThat(MockStockCluster.liveServers()).as("mock stores and PDs left running").isZero();
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

    private CompletableFuture<Integer> run(Sink sink, String... args) {
        CommandLine cl = new CommandLine(new StoresCommand());
        cl.setOut(new PrintWriter(sink, true));
        return CompletableFuture.supplyAsync(() -> cl.execute(args));
    }

    private static String pdOf(Sink sink) {
        Matcher m = Pattern.compile("--pd (\\S+)").matcher(sink.toString());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    @Test
    void servesALayoutThatARealRecoveryPasses() throws Exception {
        Sink sink = new Sink();
        CompletableFuture<Integer> cmd = run(sink, "--stores", "3", "--regions", "25", "--seed", "42",
                "--resolved-ts", "1000", "--speedup", "1000", "--exit-after-recovery", "--timeout", "120");
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.toString().contains("--pd "));
        Outcome out = StockRecovery.builder().finish(io.phybr.adviser.flashback.Finish.RESOLVE)
                // a hang bound, as recover's default --pd-timeout (nothing here stalls PD): at 5 s a loaded machine
                // could exceed it on a JVM's first PD call (its first channel or HTTP client)
                .pd(new PdClient(List.of(pdOf(sink)), null, Duration.ofSeconds(30)))
                .resolvedTs(1000).build().run();
        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        assertThat(cmd.get(60, TimeUnit.SECONDS)).as(sink.toString()).isZero();
        assertThat(sink.toString()).contains("PASS").contains("store 3 at 127.0.0.1:");
    }

    @Test
    void servesAScenarioThatARealRecoveryPasses() throws Exception {
        Sink sink = new Sink();
        CompletableFuture<Integer> cmd = run(sink, "--scenario", "../mock-tikv/scenarios/lagging-peer-across-split.scn",
                "--speedup", "1000", "--exit-after-recovery", "--timeout", "120");
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.toString().contains("resolved ts "));
        Matcher ts = Pattern.compile("resolved ts (\\d+)").matcher(sink.toString());
        assertThat(ts.find()).isTrue();
        Outcome out = StockRecovery.builder().finish(io.phybr.adviser.flashback.Finish.RESOLVE)
                // a hang bound, as recover's default --pd-timeout (nothing here stalls PD): at 5 s a loaded machine
                // could exceed it on a JVM's first PD call (its first channel or HTTP client)
                .pd(new PdClient(List.of(pdOf(sink)), null, Duration.ofSeconds(30)))
                .resolvedTs(Long.parseLong(ts.group(1))).build().run();
        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        assertThat(cmd.get(60, TimeUnit.SECONDS)).as(sink.toString()).isZero();
        assertThat(sink.toString()).contains("expect recovered").contains("PASS");
    }
}
