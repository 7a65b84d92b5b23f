package io.phybr.adviser.cli;

import io.phybr.adviser.BuildInfo;
import io.phybr.adviser.log.LogSetup;
import io.phybr.contract.ExitCode;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar phybr-adviser.jar <command>}: the adviser's command line. */
@Command(name = "phybr",
        mixinStandardHelpOptions = true,
        versionProvider = PhybrMain.Version.class,
        description = {"Plans and drives TiKV region recovery after a volume-snapshot restore.", ""},
        subcommands = {ServeCommand.class, PlanCommand.class, RecoverCommand.class, ReportCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 internal error, 2 usage, 3 plan refused (diagnosis printed),"
                + " 4 timeout, 5 store/PD failure, 6 unreadable input, 7 out of memory (the message says how much"
                + " heap the input needs)."})
public final class PhybrMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        // Out of memory on another thread (gRPC, the dump reader's workers) is one paragraph, not a stack trace;
        // the command itself then fails on the call that thread never completed.
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            if (e instanceof OutOfMemoryError) {
                System.err.println(HeapAdvice.generic(commandName(args)));
            } else if (previous != null) {
                previous.uncaughtException(t, e);
            } else {
                t.getThreadGroup().uncaughtException(t, e);
            }
        });
        System.exit(run(args));
    }

    /** Runs a command line and returns the exit code; never throws. */
    public static int run(String... args) {
        CommandLine cl = commandLine();
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            cl.getErr().println(HeapAdvice.generic(commandName(args)));
            cl.getErr().flush();
            return ExitCode.OUT_OF_MEMORY.code();
        }
    }

    private static String commandName(String[] args) {
        for (String a : args) {
            if (!a.startsWith("-")) {
                return a;
            }
        }
        return "";
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new PhybrMain());
        // Every command: BR's flag headings in --help, and --version with commit and build time.
        cl.getSubcommands().values().forEach(sub -> {
            sub.getCommandSpec().versionProvider(new Version());
            if (!(sub.getCommandSpec().userObject() instanceof CommandLine.HelpCommand)) {
                sub.addMixin(LogOptions.MIXIN, new LogOptions());
            }
        });
        HelpSections.install(cl);
        cl.setExecutionStrategy(PhybrMain::configureLoggingThenRun);
        cl.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException
                ? ExitCode.USAGE.code() : ExitCode.INTERNAL.code());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // An uncaught exception is a bug; still one paragraph, not a stack trace.
            commandLine.getErr().println("phybr: internal error: " + e + ". Please report it with the input that caused it.");
            return ExitCode.INTERNAL.code();
        });
        return cl;
    }

    /** Logging is configured from the command's --log-* options before it runs, so its first line already obeys them. */
    private static int configureLoggingThenRun(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult last = parsed;
        while (last.hasSubcommand()) {
            last = last.subcommand();
        }
        CommandLine command = last.commandSpec().commandLine();
        if (!command.isUsageHelpRequested() && !command.isVersionHelpRequested()
                && command.getMixins().get(LogOptions.MIXIN) instanceof LogOptions log && !log.defaults()) {
            String problem = log.error();
            if (problem != null) {
                throw new CommandLine.ParameterException(command, problem);
            }
            problem = LogSetup.apply(log.level, log.logFormat(), log.file);
            if (problem != null) {
                command.getErr().println("phybr " + command.getCommandName() + ": " + problem + ".");
                return ExitCode.FAILURE.code();
            }
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return BuildInfo.current().lines();
        }
    }
}
