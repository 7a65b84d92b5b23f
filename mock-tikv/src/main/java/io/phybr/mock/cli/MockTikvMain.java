package io.phybr.mock.cli;

import io.phybr.mock.model.ModelException;
import io.phybr.mock.replay.ScenarioCommand;
import io.phybr.mock.scenario.ScenarioException;
import io.phybr.mock.stock.StoresCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar mock-tikv.jar <command>}: the mock TiKV cluster's command line, with the commands
 * {@code agents}, {@code dump}, {@code scenario} and {@code stores}. Rehearsing phybr's own adviser
 * in-process is {@code phybr-rehearsal.jar} (module {@code rehearsal}): this module never sees the adviser.
 */
@Command(name = "mock-tikv",
        mixinStandardHelpOptions = true,
        version = "mock-tikv 0.1.0",
        description = {"A fake TiKV cluster built from scripted or random histories, to rehearse and test a phybr"
                + " recovery. To rehearse phybr's own adviser in-process: java -jar rehearsal/target/phybr-rehearsal.jar.",
                ""},
        subcommands = {AgentsCommand.class, DumpCommand.class, ScenarioCommand.class, StoresCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 PASS (or done), 1 FAIL (the checker found a problem), 2 bad usage or input,"
                + " 3 internal error."})
public final class MockTikvMain implements Runnable {
    public static final int PASS = 0;
    public static final int FAIL = 1;
    public static final int USAGE = 2;
    public static final int INTERNAL = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (agents, dump, scenario, stores)");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code; never throws. */
    public static int run(String... args) {
        return execute("mock-tikv", new MockTikvMain(), args);
    }

    /** As {@link #run(String...)}, printing to {@code out} and {@code err} instead (tests, tools embedding it). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine("mock-tikv", new MockTikvMain());
        return cl.setOut(out).setErr(err).execute(args);
    }

    /**
     * Runs {@code command} (a picocli command object) on {@code args} with the mock's exit codes and
     * error handling: bad input is one line on stderr, starting with {@code name}, and {@link #USAGE};
     * anything else {@link #INTERNAL}.
     */
    public static int execute(String name, Object command, String... args) {
        return commandLine(name, command).execute(args);
    }

    private static CommandLine commandLine(String name, Object command) {
        CommandLine cl = new CommandLine(command);
        cl.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? USAGE : INTERNAL);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ScenarioException || e instanceof ModelException || e instanceof IllegalArgumentException
                    || e instanceof java.io.IOException) {
                commandLine.getErr().println(name + ": " + e.getMessage());
                return USAGE;
            }
            commandLine.getErr().println(name + ": internal error: " + e
                    + ". Please report it with the scenario or seed that caused it.");
            return INTERNAL;
        });
        return cl;
    }
}
