package io.phybr.bench;

import io.phybr.adviser.plan.Plan;
import io.phybr.contract.ExitCode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What {@link PlanBenchmark} and {@link Plan10MBenchmark} measure (one state, {@link PlanTrial}), as a digest: builds
 * the benchmark's state exactly as a JMH trial does ({@code PlanBenchmark}'s public parameters, any region count, and
 * {@code setUp}), plans once through the benchmark method, and prints the SHA-256 of the plan's
 * JSON Lines, its summary and every region's fate and leader. A change to the harness must leave it unchanged for
 * the same parameters. Only the benchmark's public surface is used, so the same source runs against an older
 * benchmarks jar through the source launcher:
 *
 * <pre>
 * java -Xmx6g -XX:+UseParallelGC -XX:MaxNewSize=1g -cp benchmarks/target/benchmarks.jar io.phybr.bench.PlanDigest 1000000 realistic br
 * java -Xmx6g -XX:+UseParallelGC -XX:MaxNewSize=1g -cp OLD.jar benchmarks/src/main/java/io/phybr/bench/PlanDigest.java 1000000 realistic br
 * </pre>
 */
public final class PlanDigest {
    private PlanDigest() {
    }

    public static void main(String[] args) throws IOException, NoSuchAlgorithmException {
        System.exit(run(System.out, System.err, args));
    }

    /**
     * Digests the plan of one benchmark trial and returns the exit code (the project's {@link ExitCode}s): USAGE with
     * one line naming the bad argument, REFUSED if the layout gives no plan.
     */
    static int run(PrintStream out, PrintStream err, String... args) throws IOException, NoSuchAlgorithmException {
        if (args.length != 3 || !args[0].matches("[1-9][0-9]{0,8}")) {
            err.println("usage: PlanDigest REGIONS LAYOUT(realistic|overlaps) POLICY(seed|br), REGIONS a positive"
                    + " count (given: " + String.join(" ", args) + ")");
            return ExitCode.USAGE.code();
        }
        PlanBenchmark b = new PlanBenchmark();
        b.regions = Integer.parseInt(args[0]);
        b.layout = args[1];
        b.policy = args[2];
        try {
            b.setUp();
        } catch (IllegalArgumentException e) { // an unknown layout or policy, named by the message
            err.println("usage: PlanDigest REGIONS LAYOUT(realistic|overlaps) POLICY(seed|br): " + e.getMessage());
            return ExitCode.USAGE.code();
        } catch (IllegalStateException e) { // the set-up's check plan was refused
            err.println("PlanDigest: there is no plan to digest: " + e.getMessage());
            return ExitCode.REFUSED.code();
        }
        Plan p = (Plan) b.plan(); // the set-up planned the same table and refused a layout without a plan
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (OutputStream digest = new DigestOutputStream(OutputStream.nullOutputStream(), sha)) {
            p.writeJsonLines(digest);
            digest.write(p.summary().toJson().getBytes(StandardCharsets.UTF_8));
            StringBuilder regions = new StringBuilder();
            for (int g = 0; g < p.regionCount(); g++) {
                regions.setLength(0);
                regions.append(p.regionId(g)).append(' ').append(p.kept(g)).append(' ').append(p.leaderStore(g))
                        .append('\n');
                digest.write(regions.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        out.printf("%s %s %s: %d commands, %d regions, sha256 %s%n", args[0], args[1], args[2],
                p.commandCount(), p.regionCount(), HexFormat.of().formatHex(sha.digest()));
        return ExitCode.OK.code();
    }
}
