package io.phybr.mock.cli;

import io.phybr.mock.model.ModelException;
import io.phybr.mock.replay.ScenarioCommand;
import io.phybr.mock.scenario.ScenarioException;
import io.phybr.mock.stock.StoresCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar mock-tikv.jar <command>}: the mock TiKV cluster's command line. */
@Command(name = "mock-tikv",
        mixinStandardHelpOptions = true,
        version = "mock-tikv 0.1.0",
        description = {"A fake TiKV cluster built from scripted or random histories, to rehearse and test a phybr"
                + " recovery.", ""},
        subcommands = {RehearseCommand.class, AgentsCommand.class, DumpCommand.class, ScenarioCommand.class,
                StoresCommand.class,
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
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (rehearse, agents, dump)");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code; never throws. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new MockTikvMain());
        cl.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? USAGE : INTERNAL);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ScenarioException || e instanceof ModelException || e instanceof IllegalArgumentException
                    || e instanceof java.io.IOException) {
                commandLine.getErr().println("mock-tikv: " + e.getMessage());
                return USAGE;
            }
            commandLine.getErr().println("mock-tikv: internal error: " + e
                    + ". Please report it with the scenario or seed that caused it.");
            return INTERNAL;
        });
        return cl.execute(args);
    }
}
