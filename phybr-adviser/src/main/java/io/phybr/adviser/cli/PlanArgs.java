package io.phybr.adviser.cli;

import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The {@code plan} command's plainest command lines, read without picocli: {@code plan} then options from a fixed
 * list, each value in its own argument. picocli builds its model of a command by reflection and loads ~180 of its
 * classes (and java.sql's and java.time's, for its converters) before anything is read: 130–220 ms of the main
 * thread at the start of a 1M-region {@code plan} whose whole budget is 2.5 s.
 *
 * <p>Only what picocli would parse to the same fields is taken; anything else — help, version, a {@code --log-*}
 * option, {@code --opt=value}, a clustered or attached short option, an option given twice, a value that starts
 * with {@code -} (other than {@code -} itself) or {@code @} (picocli's argument files), a region id that is not a
 * plain decimal, a missing {@code --input} — returns null and goes to picocli, so every usage error and every help
 * text is picocli's, unchanged. {@code PlanArgsTest} runs both on the same command lines and compares what they print.
 */
final class PlanArgs {
    private PlanArgs() {
    }

    /** The command with its options set, or null if picocli must read this command line. */
    static PlanCommand parse(String[] args) {
        if (args.length < 3 || !"plan".equals(args[0])) {
            return null;
        }
        PlanCommand c = new PlanCommand();
        long[] explain = new long[0];
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if ("--accept-holes".equals(a) || "--no-accept-holes".equals(a)) {
                if (c.acceptHoles != null) {
                    return null;
                }
                c.acceptHoles = "--accept-holes".equals(a);
                continue;
            }
            if (i + 1 == args.length || !plainValue(args[i + 1])) {
                return null;
            }
            String v = args[++i];
            switch (a) {
                case "-i", "--input" -> {
                    if (c.input != null) {
                        return null;
                    }
                    c.input = v;
                }
                case "-o", "--output" -> {
                    if (c.output != null) {
                        return null;
                    }
                    c.output = v;
                }
                case "--policy" -> {
                    if (c.policy != null) {
                        return null;
                    }
                    c.policy = v;
                }
                case "--protocol" -> {
                    if (c.protocol != null) {
                        return null;
                    }
                    c.protocol = v;
                }
                case "--summary-json" -> {
                    if (c.summaryJson != null) {
                        return null;
                    }
                    try {
                        c.summaryJson = Path.of(v);
                    } catch (InvalidPathException e) {
                        return null;
                    }
                }
                case "--explain" -> {
                    if (!v.matches("0|[1-9][0-9]{0,17}")) {
                        return null; // picocli's message for a bad number, and no doubt about octal or hex
                    }
                    explain = Arrays.copyOf(explain, explain.length + 1);
                    explain[explain.length - 1] = Long.parseLong(v);
                }
                default -> {
                    return null;
                }
            }
        }
        if (c.input == null) {
            return null;
        }
        c.explain = explain;
        return c;
    }

    /** A value picocli takes as it is: not empty, not an option or an argument file ({@code -} is standard input). */
    private static boolean plainValue(String v) {
        return !v.isEmpty() && !v.startsWith("@") && (!v.startsWith("-") || "-".equals(v));
    }

    /** A writer as picocli makes one for standard output or error ({@code CommandLine.getOut()}/{@code getErr()}). */
    static PrintWriter writer(OutputStream stream, String encodingProperty) {
        return new PrintWriter(new BufferedWriter(new OutputStreamWriter(stream, charset(System.getProperty(
                encodingProperty)))), true);
    }

    /** picocli's {@code CommandLine.charsetForName}. */
    private static Charset charset(String name) {
        if (name == null) {
            return Charset.defaultCharset();
        }
        try {
            return Charset.forName("cp65001".equalsIgnoreCase(name) ? "UTF-8" : name);
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }
}
