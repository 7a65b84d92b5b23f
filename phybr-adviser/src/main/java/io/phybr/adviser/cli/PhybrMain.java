package io.phybr.adviser.cli;

import io.phybr.adviser.BuildInfo;
import io.phybr.adviser.log.LogSetup;
import io.phybr.contract.ExitCode;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar phybr-adviser.jar <command>}: the adviser's command line. */
@Command(name = "phybr",
        mixinStandardHelpOptions = true,
        versionProvider = PhybrMain.Version.class,
        description = {"Plans and drives TiKV region recovery after a volume-snapshot restore.", ""},
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

    /** The subcommands, in the order {@code --help} lists them. */
    private static final List<String> COMMANDS = List.of("serve", "plan", "recover", "report", "help");

    /** A new command object (a switch, not a map of constructor references: those would load every class). */
    private static Object newCommand(String name) {
        return switch (name) {
            case "serve" -> new ServeCommand();
            case "plan" -> new PlanCommand();
            case "recover" -> new RecoverCommand();
            case "report" -> new ReportCommand();
            case "help" -> new CommandLine.HelpCommand();
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Runs a command line and returns the exit code; never throws. */
    public static int run(String... args) {
        PlanCommand plan = PlanArgs.parse(args);
        if (plan != null) {
            return runPlan(plan, PlanArgs.writer(System.out, "sun.stdout.encoding"),
                    PlanArgs.writer(System.err, "sun.stderr.encoding"));
        }
        CommandLine cl = commandLine(args);
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            cl.getErr().println(HeapAdvice.generic(commandName(args)));
            cl.getErr().flush();
            return ExitCode.OUT_OF_MEMORY.code();
        }
    }

    /**
     * A {@code plan} command line {@link PlanArgs} read, run as picocli runs it through {@link #commandLine}: the same
     * exit codes, the same paragraph for running out of memory and for an uncaught exception.
     */
    static int runPlan(PlanCommand plan, PrintWriter out, PrintWriter err) {
        try {
            return plan.call(out, err);
        } catch (OutOfMemoryError e) {
            err.println(HeapAdvice.generic("plan"));
            return ExitCode.OUT_OF_MEMORY.code();
        } catch (Exception e) {
            return internalError(err, e);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** An uncaught exception is a bug; still one paragraph, not a stack trace. */
    private static int internalError(PrintWriter err, Exception e) {
        err.println("phybr: internal error: " + e + ". Please report it with the input that caused it.");
        return ExitCode.INTERNAL.code();
    }

    private static String commandName(String[] args) {
        for (String a : args) {
            if (!a.startsWith("-")) {
                return a;
            }
        }
        return "";
    }

    /** Every command. */
    public static CommandLine commandLine() {
        return commandLine(COMMANDS);
    }

    /**
     * The command line that runs {@code args}: when they start with a command other than {@code help}, only that
     * command is built. picocli reads every option of every command it is given by reflection, and on the fast path
     * ({@code plan} over a large dump) building the other commands' ~150 options cost start-up time for nothing;
     * parsing, help, errors and exit codes of the named command are the same either way.
     */
    static CommandLine commandLine(String[] args) {
        String first = args.length == 0 ? "" : args[0];
        return COMMANDS.contains(first) && !"help".equals(first) ? commandLine(List.of(first)) : commandLine();
    }

    private static CommandLine commandLine(List<String> names) {
        CommandLine cl = new CommandLine(new PhybrMain());
        for (String name : names) {
            cl.addSubcommand(name, newCommand(name));
        }
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
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> internalError(commandLine.getErr(), e));
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
