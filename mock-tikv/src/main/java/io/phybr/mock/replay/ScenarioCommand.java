package io.phybr.mock.replay;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mock-tikv scenario --from-dump DUMP}: a scenario file reproducing a dump's layout. */
@Command(name = "scenario", mixinStandardHelpOptions = true,
        description = {"Writes a scenario file that reproduces a region dump's layout (e.g. reports.jsonl of a"
                + " recorded run): one 'replica store S region R applied A term T version V range START END"
                + " [tombstone]' line per reported replica, the dump's stores, and the expected outcome the recording"
                + " holds (a recorded plan must be reproduced). A starting point for a hand-edited regression scenario; it rehearses"
                + " to the same plan as the dump."})
public final class ScenarioCommand implements Callable<Integer> {
    @Option(names = "--from-dump", required = true, paramLabel = "DUMP", description = "The region dump to reproduce.")
    Path dump;

    @Option(names = "--output", paramLabel = "FILE", defaultValue = "-",
            description = "Where to write the scenario; '-' (default) is standard output.")
    String output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        DumpReplay replay = DumpReplay.load(dump, w -> err.println("mock-tikv: warning: " + w));
        String text = replay.scenario().render();
        if ("-".equals(output)) {
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
        } else {
            Files.writeString(Path.of(output), text);
            err.println("mock-tikv: wrote scenario " + output + " (" + replay.scenario().steps().size()
                    + " replicas, " + replay.scenario().expectation().render() + ")");
        }
        err.flush();
        return 0;
    }
}
