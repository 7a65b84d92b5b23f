package io.phybr.adviser.cli;

import io.phybr.adviser.BuildInfo;
import io.phybr.contract.ExitCode;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar phybr-adviser.jar <command>}: the adviser's command line. */
@Command(name = "phybr",
        mixinStandardHelpOptions = true,
        versionProvider = PhybrMain.Version.class,
        description = {"Plans and drives TiKV region recovery after a volume-snapshot restore.", ""},
        subcommands = {ServeCommand.class, PlanCommand.class, RecoverCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 internal error, 2 usage, 3 plan refused (diagnosis printed),"
                + " 4 timeout, 5 store/PD failure, 6 unreadable input."})
public final class PhybrMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns the exit code; never throws. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new PhybrMain());
        // Every command: BR's flag headings in --help, and --version with commit and build time.
        HelpSections.install(cl);
        cl.getSubcommands().values().forEach(sub -> sub.getCommandSpec().versionProvider(new Version()));
        cl.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException
                ? ExitCode.USAGE.code() : ExitCode.INTERNAL.code());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // An uncaught exception is a bug; still one paragraph, not a stack trace.
            commandLine.getErr().println("phybr: internal error: " + e + ". Please report it with the input that caused it.");
            return ExitCode.INTERNAL.code();
        });
        return cl;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return BuildInfo.current().lines();
        }
    }
}
