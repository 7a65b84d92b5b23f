package io.phybr.adviser.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Lists a command's options under headings, as BR's help does: connection, TLS, recovery, timeouts, output,
 * logging. An option is placed by its names, so a flag added later lands under a sensible heading (anything
 * ending in {@code -timeout} is a timeout, {@code --log-*} is logging) or, failing that, under "Other options".
 */
final class HelpSections implements CommandLine.IHelpSectionRenderer {
    static final String CONNECTION = "Connection";
    static final String TLS = "TLS";
    static final String RECOVERY = "Recovery";
    static final String TIMEOUTS = "Timeouts";
    static final String OUTPUT = "Output";
    static final String LOGGING = "Logging";
    static final String OTHER = "Other options";
    static final List<String> ORDER = List.of(CONNECTION, TLS, RECOVERY, TIMEOUTS, OUTPUT, LOGGING, OTHER);

    private static final Set<String> CONNECTION_NAMES = Set.of("--pd", "--listen", "--stores", "--store-ids",
            "--expected-stores", "--port-file", "--concurrency", "--max-attempts", "--retry-backoff", "--status-addr");
    private static final Set<String> TLS_NAMES = Set.of("--ca", "--cert", "--key");
    private static final Set<String> RECOVERY_NAMES = Set.of("--resolved-ts", "--backup-meta", "--dry-run", "--force",
            "--accept-holes", "--policy", "--protocol", "--input", "--explain", "--finish");
    private static final Set<String> OUTPUT_NAMES = Set.of("--output", "--summary-json", "--plan-output", "--record",
            "--no-record", "--progress-interval", "--progress-file");

    /** Puts the grouped option list into every command of {@code root}, recursively. */
    static void install(CommandLine root) {
        root.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST, new HelpSections());
        root.getSubcommands().values().forEach(HelpSections::install);
    }

    static String headingOf(OptionSpec o) {
        for (String name : o.names()) {
            if (TLS_NAMES.contains(name)) {
                return TLS;
            }
            if (CONNECTION_NAMES.contains(name)) {
                return CONNECTION;
            }
            if (RECOVERY_NAMES.contains(name)) {
                return RECOVERY;
            }
            if (name.endsWith("-timeout")) {
                return TIMEOUTS;
            }
            if (OUTPUT_NAMES.contains(name)) {
                return OUTPUT;
            }
            if (name.startsWith("--log-")) {
                return LOGGING;
            }
        }
        return OTHER;
    }

    @Override
    public String render(CommandLine.Help help) {
        Map<String, List<OptionSpec>> byHeading = new LinkedHashMap<>();
        ORDER.forEach(h -> byHeading.put(h, new ArrayList<>()));
        for (OptionSpec o : help.commandSpec().options()) {
            if (!o.hidden()) {
                byHeading.get(headingOf(o)).add(o);
            }
        }
        StringBuilder out = new StringBuilder();
        for (var e : byHeading.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            CommandLine.Help.Layout layout = help.createDefaultLayout();
            for (OptionSpec o : e.getValue()) {
                layout.addOption(o, help.parameterLabelRenderer());
            }
            out.append(help.createHeading("%n" + e.getKey() + ":%n")).append(layout);
        }
        return out.toString();
    }
}
