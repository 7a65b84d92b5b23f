package io.phybr.mock.fault;

import io.grpc.Status;
import io.phybr.mock.fault.Fault.Rpc;
import java.time.Duration;
import java.util.Locale;

/** A cursor over the words after a fault's keyword. */
final class FaultWords {
    final long store;
    final Rpc rpc;
    private final String[] t;
    private final String form;
    private int i;

    FaultWords(String[] t, int from, long store, Rpc rpc, String form) {
        this.t = t;
        this.i = from;
        this.store = store;
        this.rpc = rpc;
        this.form = form;
    }

    private String next(String what) {
        if (i >= t.length) {
            throw new FaultSyntax.SyntaxError("expected '" + form + "' (" + what + " is missing)");
        }
        return t[i++];
    }

    private void keyword(String k) {
        String got = next("'" + k + "'");
        if (!got.equals(k)) {
            throw new FaultSyntax.SyntaxError("expected '" + form + "' ('" + got + "' where '" + k + "' belongs)");
        }
    }

    long number(String what) {
        return number(next(what), what);
    }

    static long number(String s, String what) {
        try {
            long v = Long.parseLong(s);
            if (v < 0) {
                throw new FaultSyntax.SyntaxError(what + " '" + s + "' is negative");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new FaultSyntax.SyntaxError(what + " '" + s + "' is not a number");
        }
    }

    long region() {
        keyword("region");
        String s = next("region id");
        return number(s.startsWith("r") ? s.substring(1) : s, "region id");
    }

    int after() {
        keyword("after");
        return (int) number("message count");
    }

    int atListing() {
        keyword("at-listing");
        return (int) number("listing number");
    }

    long storeWord() {
        keyword("store");
        return number("store id");
    }

    int positive(String what, int n) {
        if (n < 1) {
            throw new FaultSyntax.SyntaxError("'" + what + "' must be at least 1");
        }
        return n;
    }

    int optionalAfter() {
        if (i < t.length && t[i].equals("after")) {
            return after();
        }
        return -1;
    }

    int times() {
        if (i < t.length && t[i].equals("times")) {
            i++;
            long n = number("times");
            if (n < 1) {
                throw new FaultSyntax.SyntaxError("'times' must be at least 1");
            }
            return (int) n;
        }
        return 1;
    }

    long numberAfter(String k, String what) {
        keyword(k);
        return number(what);
    }

    String hexAfter(String k) {
        keyword(k);
        String s = next("hex key");
        try {
            java.util.HexFormat.of().parseHex(s);
        } catch (IllegalArgumentException e) {
            throw new FaultSyntax.SyntaxError("key '" + s + "' is not hex");
        }
        return s.toLowerCase(Locale.ROOT);
    }

    Duration duration() {
        return FaultSyntax.duration(next("duration"));
    }

    Duration forDuration() {
        keyword("for");
        return duration();
    }

    String word(String what) {
        return next(what);
    }

    String wordAfter(String k, String what) {
        keyword(k);
        return next(what);
    }

    /** {@code for DURATION} in whole seconds of at least 1 (PD's pause delay is an integer count of seconds). */
    Duration pause() {
        Duration d = forDuration();
        if (d.toSeconds() < 1 || d.toMillis() % 1000 != 0) {
            throw new FaultSyntax.SyntaxError("a scheduler's pause is a whole number of seconds, at least 1s (got "
                    + d.toMillis() + "ms)");
        }
        return d;
    }

    Status.Code code() {
        String s = next("gRPC status");
        try {
            Status.Code c = Status.Code.valueOf(s.toUpperCase(Locale.ROOT));
            if (c == Status.Code.OK) {
                throw new FaultSyntax.SyntaxError("a failing call needs a status other than OK");
            }
            return c;
        } catch (IllegalArgumentException e) {
            throw new FaultSyntax.SyntaxError("unknown gRPC status '" + s + "' (e.g. UNAVAILABLE, ABORTED, INTERNAL)");
        }
    }

    void end() {
        if (i < t.length) {
            throw new FaultSyntax.SyntaxError("expected '" + form + "' (unexpected '" + t[i] + "')");
        }
    }
}
