package io.phybr.mock.scenario;

import io.phybr.contract.text.Printable;
import io.phybr.mock.fault.FaultSyntax;
import io.phybr.mock.model.Keys;
import java.time.Duration;

/**
 * The word checks every scenario keyword shares (numbers, region ids, hex keys, durations, fixed forms) and the one
 * error text they all give: the scenario's name, the line number and the line's text, then what is wrong.
 */
final class LineWords {
    private final String name;
    /** The line being read (1-based); 0 once the whole file is read, for the checks across lines. */
    int lineNo;
    String lineText;

    LineWords(String name) {
        this.name = name;
    }

    long[] storeRegion(String[] t, String form) {
        if (t.length != 5 || !t[1].equals("store") || !t[3].equals("region")) {
            throw err("expected '" + form + "'");
        }
        return new long[] {num(t[2], "store id"), region(t[4])};
    }

    void need(String[] t, int n, String form) {
        if (t.length != n) {
            throw err("expected '" + form + "'");
        }
    }

    long region(String s) {
        return num(s.startsWith("r") ? s.substring(1) : s, "region id");
    }

    byte[] key(String s) {
        try {
            return Keys.parseHex(s);
        } catch (IllegalArgumentException e) {
            throw err(e.getMessage());
        }
    }

    long num(String s, String what) {
        try {
            long v = Long.parseLong(s);
            if (v < 0) {
                throw err(what + " '" + s + "' is negative");
            }
            return v;
        } catch (NumberFormatException e) {
            throw err(what + " '" + s + "' is not a number");
        }
    }

    Duration duration(String s) {
        try {
            return FaultSyntax.duration(s);
        } catch (FaultSyntax.SyntaxError e) {
            throw err(e.getMessage());
        }
    }

    ScenarioException err(String msg) {
        // escaped: the line and the words quoted from it are the file's bytes, and go to the operator's terminal
        return new ScenarioException(Printable.escape("scenario " + name
                + (lineNo > 0 ? ", line " + lineNo + " '" + lineText + "'" : "") + ": " + msg));
    }
}
