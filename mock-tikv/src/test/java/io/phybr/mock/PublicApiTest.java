package io.phybr.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Pins mock-tikv's public surface, so it cannot silently grow back (issue 10): every public top-level type of
 * {@code src/main/java} is either {@link #API} — what a test author (rehearsal, it-tests, phybr-adviser's tests,
 * benchmarks, the mock's CLI) uses, with a javadoc saying what they do with it — or {@link #INTERNAL}: public only
 * because another package of this module uses it, its javadoc opening with "Internal", and used by no other module.
 * Anything else is package-private. Scans the sources (the module's directory is the working directory of its tests).
 */
class PublicApiTest {

    /** What a test author uses, by package (relative to {@code io.phybr.mock}). */
    static final Set<String> API = Set.of(
            // a cluster to script, run against, then inspect (MockWebServer's shape), and a whole rehearsal
            "MockCluster", "Rehearsal", "CallLog",
            // protocol A: scripted single calls and what an agent did
            "agent.StoreClient", "agent.AgentReport",
            // protocol A's report stream as the seed agent sends it, and metas encoded as the mock's senders encode
            // them (the collection benchmarks drive them at a million metas per store)
            "agent.ReportStream", "agent.MetaBytes",
            // the buffers the mock's senders frame their messages in (a benchmark's stand-in sender builds on them)
            "agent.SenderBuffers",
            // protocol B: stock TiKV stores + PD, their disks, layouts, faults and clock
            "stock.MockStockCluster", "stock.MockStockStore", "stock.StoreBackend", "stock.InMemoryStoreBackend",
            "stock.ModelStoreBackend", "stock.LocalPeer", "stock.StockReplica", "stock.StockLayouts",
            "stock.StoreFaults", "stock.RecoveryClock", "stock.StockCheck",
            // protocol B with no transport: a history's stores called in the caller's thread (many histories per run)
            "stock.DirectStockStores",
            "pd.MockPd", "pd.PdState", "pd.PdCall", "pd.ManualClock", "pd.KeyCodec",
            // the scenario and fault model
            "scenario.Scenario", "scenario.ScenarioParser", "scenario.ScenarioException", "scenario.Expectation",
            "scenario.PlanFact", "history.Step", "fault.Fault", "fault.FaultSyntax", "fault.AgentPoint",
            "fault.StorePoint", "net.FaultProxy", "net.NetFault",
            // the checker's verdict
            "check.Checker", "check.Verdict", "check.AdviserResult", "check.PlanFactCheck",
            "replay.DumpReplay", "replay.ReplayChecks",
            // the model a history leaves (read-only for tests)
            "model.Backup", "model.StoreImage", "model.BrBackupMeta", "model.Peer", "model.PeerBuilder", "model.Group",
            "model.Entry", "model.Write", "model.Keys", "model.ModelException", "model.FlashbackLedger",
            "model.Lag",
            // generators
            "gen.RandomHistory", "gen.SeedPlan", "gen.LayoutGenerator", "gen.LayoutShape", "gen.RecordKeys", "shrink.Shrinker",
            // the command line (mock-tikv.jar, and the mixins the rehearsal's command line shares)
            "cli.MockTikvMain", "cli.AgentRun", "cli.ClusterSource", "stock.StoresCommand",
            "replay.ScenarioCommand");

    /** Public only because another package of mock-tikv uses them; no other module may. */
    static final Set<String> INTERNAL = Set.of(
            "agent.SeedAgent", "agent.ReadyGate", "check.StockChecks",
            "model.Cluster", "model.RecoveryRaft", "pd.RegionHeartbeat",
            // namespaces of Fault's variants (reached as Fault.X; see Fault's javadoc for why they are public)
            "fault.AgentVariants", "fault.StoreVariants", "fault.PdVariants");

    private static final Path MAIN = Path.of("src/main/java/io/phybr/mock");
    private static final List<String> OTHER_MODULES = List.of("phybr-adviser", "rehearsal", "it-tests", "benchmarks");

    @Test
    void everyPublicTypeIsListedAsApiOrInternal() {
        Map<String, TypeDecl> types = topLevelTypes();
        assertThat(types).as("scanned %s", MAIN.toAbsolutePath()).hasSizeGreaterThan(50);
        Set<String> isPublic = new TreeSet<>();
        types.forEach((name, t) -> {
            if (t.isPublic()) {
                isPublic.add(name);
            }
        });
        Set<String> unlisted = new TreeSet<>(isPublic);
        unlisted.removeAll(API);
        unlisted.removeAll(INTERNAL);
        assertThat(unlisted)
                .as("public types of mock-tikv that PublicApiTest does not list. A public type is API for test authors:"
                        + " make it package-private, or give it a javadoc saying what a test author does with it and add it"
                        + " to PublicApiTest.API (or, if only another package of mock-tikv needs it, a javadoc opening"
                        + " with \"Internal\" and PublicApiTest.INTERNAL)")
                .isEmpty();
        Set<String> stale = new TreeSet<>(API);
        stale.addAll(INTERNAL);
        stale.removeAll(isPublic);
        assertThat(stale).as("listed in PublicApiTest but not a public type of mock-tikv (any more): remove them").isEmpty();
        assertThat(API).as("listed both as API and as internal").doesNotContainAnyElementsOf(INTERNAL);
    }

    @Test
    void everyPublicTypeSaysWhatATestAuthorDoesWithIt() {
        List<String> problems = new ArrayList<>();
        topLevelTypes().forEach((name, t) -> {
            if (!t.isPublic()) {
                return;
            }
            if (t.javadoc().isBlank()) {
                problems.add(name + ": no javadoc on the type (say what a test author does with it)");
            } else if (INTERNAL.contains(name) && !t.javadoc().startsWith("Internal")) {
                problems.add(name + ": an internal type's javadoc opens with \"Internal\" (say which package needs it)");
            } else if (API.contains(name) && t.javadoc().startsWith("Internal")) {
                problems.add(name + ": API, but its javadoc calls it internal");
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void noOtherModuleUsesAnInternalType() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<String> uses = new ArrayList<>();
        for (String module : OTHER_MODULES) {
            Path src = root.resolve(module).resolve("src");
            assertThat(src).as("sources of %s", module).isDirectory();
            try (Stream<Path> files = Files.walk(src)) {
                files.filter(f -> f.toString().endsWith(".java")).forEach(f -> {
                    String text = read(f);
                    for (String internal : INTERNAL) {
                        if (uses(text, "io.phybr.mock." + internal)) {
                            uses.add(root.relativize(f) + " uses " + internal);
                        }
                    }
                });
            }
        }
        assertThat(uses).as("internal types of mock-tikv are not API; use the API (PublicApiTest.API) or make the type"
                + " API (documented, listed)").isEmpty();
    }

    @Test
    void theScanSeesModifiersAndJavadocs() {
        // the scan itself can fail: pin it on types whose shape is known
        Map<String, TypeDecl> types = topLevelTypes();
        assertThat(types.get("MockCluster").isPublic()).isTrue();
        assertThat(types.get("MockCluster").javadoc()).contains("MockWebServer");
        assertThat(types.get("pd.PdModel").isPublic()).isFalse();
        assertThat(types.get("fault.Fault").isPublic()).isTrue(); // "public sealed interface"
        assertThat(uses("import io.phybr.mock.model.*;\nclass A { Group g; }", "io.phybr.mock.model.Group")).isTrue();
        assertThat(uses("import io.phybr.mock.model.*;\nclass A { GroupX g; }", "io.phybr.mock.model.Group")).isFalse();
        assertThat(uses("class A { io.phybr.mock.model.Lag l; }", "io.phybr.mock.model.Lag")).isTrue();
        assertThat(uses("import io.phybr.mock.model.LagX;", "io.phybr.mock.model.Lag")).isFalse();
    }

    /** Whether {@code text} names the type {@code fqn}: by its full name, or by its simple name under a package import. */
    static boolean uses(String text, String fqn) {
        if (Pattern.compile(Pattern.quote(fqn) + "\\b").matcher(text).find()) {
            return true;
        }
        int dot = fqn.lastIndexOf('.');
        String pkg = fqn.substring(0, dot);
        String simple = fqn.substring(dot + 1);
        return text.contains("import " + pkg + ".*;") && Pattern.compile("\\b" + simple + "\\b").matcher(text).find();
    }

    record TypeDecl(boolean isPublic, String javadoc) {}

    private static final Pattern PACKAGE = Pattern.compile("^package io\\.phybr\\.mock(\\.[\\w.]+)?;", Pattern.MULTILINE);

    /** Every top-level type of the main sources by name relative to {@code io.phybr.mock}, e.g. {@code pd.MockPd}. */
    static Map<String, TypeDecl> topLevelTypes() {
        Map<String, TypeDecl> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("package-info.java")).forEach(f -> {
                String text = read(f);
                String simple = f.getFileName().toString().replace(".java", "");
                Matcher pkg = PACKAGE.matcher(text);
                assertThat(pkg.find()).as("package line of %s", f).isTrue();
                String prefix = pkg.group(1) == null ? "" : pkg.group(1).substring(1) + ".";
                Matcher decl = Pattern.compile("^((?:(?:public|abstract|final|sealed|non-sealed|strictfp)\\s+)*)"
                        + "(?:class|interface|enum|record|@interface)\\s+" + simple + "\\b", Pattern.MULTILINE)
                        .matcher(text);
                assertThat(decl.find()).as("declaration of %s in %s", simple, f).isTrue();
                out.put(prefix + simple, new TypeDecl(decl.group(1).contains("public"),
                        javadocBefore(text.substring(0, decl.start()))));
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The javadoc ending just before a declaration (annotations in between allowed), as text without stars; or "". */
    private static String javadocBefore(String head) {
        int end = head.lastIndexOf("*/");
        int start = head.lastIndexOf("/**");
        if (end < 0 || start < 0 || start > end) {
            return "";
        }
        String between = head.substring(end + 2).strip();
        // only annotations (possibly spanning lines, e.g. picocli's @Command(...)) may stand between javadoc and type
        if (!between.isEmpty() && !between.startsWith("@")) {
            return "";
        }
        return head.substring(start + 3, end).replaceAll("(?m)^\\s*\\*\\s?", "").strip();
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
