package io.phybr.bench;

import io.phybr.contract.ExitCode;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.Protocol;
import io.phybr.adviser.record.RunInfo;
import io.phybr.adviser.record.RunRecorder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/** Run recordings for the collection benchmarks' {@code record=on}: a fresh directory per op, deleted after it. */
final class Recordings {
    private Recordings() {
    }

    /** A recorder writing under the system temp directory (set {@code -Djava.io.tmpdir} to put it on another disk). */
    static RunRecorder open(String command, Protocol protocol) {
        try {
            Path dir = Files.createTempDirectory("phybr-bench-run");
            Files.delete(dir); // the recorder claims the directory itself
            RunRecorder r = RunRecorder.open(dir, new RunInfo(command, Policy.SEED, protocol, false, List.of(),
                    OptionalLong.empty(), "stores 1, 2, 3"));
            if (!r.active()) {
                throw new IllegalStateException("could not record to " + dir);
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Finishes the recording (its dump complete on disk); throws when it failed. */
    static void finish(RunRecorder r) {
        if (r.dir() == null) {
            return;
        }
        boolean ok = r.active();
        r.finish(ExitCode.OK, "benchmark", null);
        if (!ok || !r.active()) {
            throw new IllegalStateException("the recording in " + r.dir() + " failed (see the log)");
        }
    }

    /** Deletes a finished recording's directory. */
    static void delete(RunRecorder r) throws IOException {
        if (r.dir() == null || !Files.exists(r.dir())) {
            return;
        }
        try (Stream<Path> files = Files.walk(r.dir())) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
