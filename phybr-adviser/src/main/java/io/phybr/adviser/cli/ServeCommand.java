package io.phybr.adviser.cli;

import io.phybr.contract.ExitCode;
import io.phybr.adviser.files.AtomicFiles;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.Protocol;
import io.phybr.adviser.record.RunInfo;
import io.phybr.adviser.record.RunRecorder;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.protocol.seed.SeedAdviser;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code phybr serve}: the seed-protocol adviser (tikv-phybr agents connect to it). */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the seed-protocol adviser (gRPC service phybr.Phybr): every store's tikv-phybr agent"
                + " streams its region metas to it; once all expected stores have reported it plans, sends each"
                + " store exactly its commands, waits until every store called close(workdone=true), answers them"
                + " all and exits. Nothing is sent to any store unless the whole plan is safe; a refused plan,"
                + " a malformed report or a store that never reports ends with a one-paragraph diagnosis.", ""},
        footer = {"", "Exit codes: 0 every store applied the plan and closed; 3 plan refused (malformed report or hole;"
                + " nothing sent); 4 timeout (a store never reported or never closed); 5 a store reported failure or"
                + " the adviser could not listen; 6 unreadable --backup-meta; 2 bad command line."})
public final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--listen", defaultValue = "127.0.0.1:3379", paramLabel = "HOST:PORT",
            description = "Address to listen on ([v6]:PORT for IPv6, :PORT for every interface, port 0 picks a free"
                    + " port). Default: ${DEFAULT-VALUE}, like the seed.")
    String listen;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Expected expected;

    static final class Expected {
        @Option(names = "--stores", paramLabel = "N",
                description = "Number of stores to wait for. Stores are named by the phybr-store-id header their"
                        + " agent sends, else numbered 1, 2, ... in arrival order.")
        Integer count;

        @Option(names = "--store-ids", split = ",", paramLabel = "ID",
                description = "Exact store ids to wait for, comma separated (e.g. 1,4,5); any other store is refused.")
        long[] ids;
    }

    @Option(names = "--collect-timeout", defaultValue = "10m", paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "How long to wait for every store to report its regions (e.g. 30s, 5m, 1h). Default: ${DEFAULT-VALUE}.")
    Duration collectTimeout;

    @Option(names = "--close-timeout", defaultValue = "10m", paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "After the plan is sent, how long to wait for every store to apply it and call"
                    + " close(workdone=true). Default: ${DEFAULT-VALUE}.")
    Duration closeTimeout;

    @ArgGroup(exclusive = true)
    ResolvedTsOptions resolved;

    @Option(names = "--policy", defaultValue = "seed", paramLabel = "seed|br",
            description = "Leader choice: seed (highest applied_index, then term; ties to the lowest store) or br"
                    + " (ties balanced across stores). Default: ${DEFAULT-VALUE}.")
    String policy;

    @Option(names = "--accept-holes",
            description = "Plan and send even if the surviving regions leave holes in the key space. The data in"
                    + " the holes is LOST; without this flag a hole refuses the plan.")
    boolean acceptHoles;

    @Option(names = "--plan-output", paramLabel = "FILE",
            description = "Write the plan (JSON Lines sorted by store then region, SPEC §6) here before any command"
                    + " is sent.")
    Path planOutput;

    @Option(names = "--port-file", paramLabel = "FILE",
            description = "Once listening, write the bound port (one decimal line) to this file; useful with port 0.")
    Path portFile;

    @picocli.CommandLine.Mixin
    RecordOptions record = new RecordOptions();

    @picocli.CommandLine.Mixin
    TlsOptions tlsOptions = new TlsOptions();

    private final io.phybr.adviser.tls.TlsRefusals tlsRefusals = new io.phybr.adviser.tls.TlsRefusals();

    @picocli.CommandLine.Mixin
    ProgressOptions progress = new ProgressOptions();

    @picocli.CommandLine.Mixin
    StatusOptions status = new StatusOptions();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        SeedAdviser.Builder b = SeedAdviser.builder()
                .listen(listen)
                .collectTimeout(collectTimeout)
                .closeTimeout(closeTimeout)
                .acceptHoles(acceptHoles)
                .planOutput(planOutput);
        try {
            b.policy(Policy.parse(policy));
            if (expected.ids != null) {
                b.storeIds(expected.ids);
            } else {
                b.stores(expected.count);
            }
        } catch (IllegalArgumentException e) {
            return usage(err, e.getMessage());
        }
        OptionalLong resolvedTs;
        try {
            resolvedTs = ResolvedTsOptions.read(resolved);
        } catch (NoSuchFileException e) {
            err.println("phybr serve: the backup meta " + resolved.backupMeta + " does not exist. Nothing was started.");
            return ExitCode.BAD_INPUT.code();
        } catch (IOException e) {
            err.println("phybr serve: cannot use the backup meta " + resolved.backupMeta + ": " + e.getMessage()
                    + ". Nothing was started.");
            return ExitCode.BAD_INPUT.code();
        }
        resolvedTs.ifPresent(b::resolvedTs);
        if (tlsOptions.enabled()) {
            try {
                io.phybr.adviser.pd.TlsConfig tls = tlsOptions.config();
                b.tls(tls.grpcServerContext(tlsRefusals),
                        new io.phybr.adviser.tls.ClientCertificateRequired(tls.ca(), tlsRefusals));
            } catch (IllegalArgumentException e) {
                return usage(err, e.getMessage());
            } catch (IOException e) {
                err.println("phybr serve: cannot use the TLS files: " + e.getMessage() + ". Nothing was started.");
                return ExitCode.BAD_INPUT.code();
            }
        }
        String unwritable = OutputFiles.check("--plan-output", planOutput, "--port-file", portFile);
        if (unwritable != null) {
            return usage(err, unwritable);
        }
        if (record.conflict("serve") != null) {
            err.println(record.conflict("serve"));
            return ExitCode.USAGE.code();
        }
        if (planOutput != null) {
            String removed = OutputFiles.removeOlder(planOutput);
            if (removed != null) {
                err.println("phybr serve: " + removed + ".");
            }
        }
        ServeWatch watch;
        try {
            watch = ServeWatch.open(progress, status, spec.commandLine().getOut());
        } catch (IllegalArgumentException e) {
            return usage(err, e.getMessage());
        } catch (IOException e) {
            err.println("phybr serve: " + e.getMessage() + ". Nothing was started.");
            return ExitCode.FAILURE.code();
        }
        try {
            return serve(b, resolvedTs, watch, err);
        } finally {
            watch.close();
        }
    }

    private int serve(SeedAdviser.Builder b, OptionalLong resolvedTs, ServeWatch watch, PrintWriter err) {
        RunRecorder recorder = record.open("serve", runInfo(resolvedTs));
        b.recorder(recorder);
        SeedAdviser adviser;
        try {
            adviser = b.build();
        } catch (IllegalArgumentException e) {
            recorder.abandon();
            return usage(err, e.getMessage());
        }
        Thread hook = new Thread(() -> finish(adviser, recorder), "phybr-serve-shutdown");
        try {
            try {
                adviser.start();
            } catch (IOException e) {
                recorder.abandon();
                err.println("phybr serve: " + e.getMessage() + ". Is another adviser running? Nothing was started.");
                return ExitCode.FAILURE.code();
            }
            Runtime.getRuntime().addShutdownHook(hook);
            watch.watch(adviser);
            if (portFile != null) {
                try {
                    writePortFile(adviser.port());
                } catch (IOException e) {
                    err.println("phybr serve: cannot write the port file " + portFile + ": " + e
                            + ". The adviser stopped before any store connected.");
                    return ExitCode.FAILURE.code();
                }
            }
            Outcome outcome = adviser.awaitOutcome();
            watch.finish(adviser);
            recorder.finish(outcome.exitCode(), outcome.verdict(), outcome.diagnosis().orElse(""));
            if (!outcome.ok()) {
                String refusals = tlsRefusals.summary();
                err.println("phybr serve: " + outcome.diagnosis().orElse(outcome.verdict())
                        + (refusals.isEmpty() ? "" : " " + refusals));
            } else {
                spec.commandLine().getOut().println("phybr serve: " + outcome.verdict());
            }
            err.flush();
            spec.commandLine().getOut().flush();
            return outcome.exitCode().code();
        } finally {
            finish(adviser, recorder);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // shutting down already, or never added
            }
        }
    }

    /** Closes the adviser and ends the recording with its outcome (no-op for the recording after the first time). */
    private static void finish(SeedAdviser adviser, RunRecorder recorder) {
        adviser.close();
        adviser.outcome().ifPresentOrElse(
                o -> recorder.finish(o.exitCode(), o.verdict(), o.diagnosis().orElse("")), recorder::close);
    }

    private RunInfo runInfo(OptionalLong ts) {
        String stores = expected.ids != null
                ? "stores " + java.util.Arrays.stream(expected.ids).mapToObj(Long::toString)
                        .collect(java.util.stream.Collectors.joining(", "))
                : expected.count + (expected.count == 1 ? " store" : " stores");
        return new RunInfo("serve", Policy.parse(policy), Protocol.SEED, acceptHoles,
                spec.commandLine().getParseResult().originalArgs(), ts, stores);
    }

    private void writePortFile(int port) throws IOException {
        AtomicFiles.writeString(portFile, port + "\n"); // a reader never sees a half-written file
    }

    private static int usage(PrintWriter err, String message) {
        err.println("phybr serve: " + message + ". See phybr serve --help.");
        return ExitCode.USAGE.code();
    }
}
