package io.phybr.adviser.cli;

import io.phybr.adviser.plan.Plan;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Compares a plan, as JSON Lines, with a recorded plan file byte by byte, streaming both. */
final class RecordedPlans {
    private RecordedPlans() {
    }

    /** One line saying whether {@code plan} is byte-identical to {@code recorded}, and where it first differs. */
    static String compare(Plan plan, Path recorded) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(recorded), 1 << 16)) {
            Comparing c = new Comparing(in);
            plan.writeJsonLines(c);
            if (c.differsAt < 0 && in.read() >= 0) {
                c.differsAt = c.offset;
            }
            if (c.differsAt < 0) {
                return "the plan is byte-identical to the recorded " + recorded + " (" + plan.commandCount()
                        + " commands)";
            }
            return "the plan DIFFERS from the recorded " + recorded + " (first at line " + c.line + ", byte "
                    + c.differsAt + "); the planner no longer plans these reports the way the recorded run did";
        } catch (IOException e) {
            return "could not compare the plan with the recorded " + recorded + ": " + e.getMessage();
        }
    }

    private static final class Comparing extends OutputStream {
        private final InputStream recorded;
        long offset;
        long line = 1;
        long differsAt = -1;

        Comparing(InputStream recorded) {
            this.recorded = recorded;
        }

        @Override
        public void write(int b) throws IOException {
            if (differsAt >= 0) {
                return;
            }
            if (recorded.read() != (b & 0xff)) {
                differsAt = offset;
                return;
            }
            offset++;
            if (b == '\n') {
                line++;
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int i = 0; i < len; i++) {
                write(b[off + i]);
            }
        }
    }
}
