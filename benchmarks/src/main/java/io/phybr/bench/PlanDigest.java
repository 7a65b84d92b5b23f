package io.phybr.bench;

import io.phybr.adviser.plan.Plan;
import io.phybr.contract.ExitCode;
import io.phybr.adviser.plan.PlanOutcome;
import java.io.IOException;
import java.io.OutputStream;
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
        if (args.length != 3 || !args[0].matches("[1-9][0-9]{0,8}")) {
            System.err.println("usage: PlanDigest REGIONS LAYOUT(realistic|overlaps) POLICY(seed|br), REGIONS a positive"
                    + " count (given: " + String.join(" ", args) + ")");
            System.exit(ExitCode.USAGE.code()); // a command-line tool: its exit codes are the project's
            return;
        }
        PlanBenchmark b = new PlanBenchmark();
        b.regions = Integer.parseInt(args[0]);
        b.layout = args[1];
        b.policy = args[2];
        b.setUp();
        PlanOutcome outcome = b.plan();
        if (!(outcome instanceof Plan p)) {
            System.err.println("PlanDigest: the layout was refused, there is no plan to digest: " + outcome);
            System.exit(ExitCode.REFUSED.code());
            return;
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), sha)) {
            p.writeJsonLines(out);
            out.write(p.summary().toJson().getBytes(StandardCharsets.UTF_8));
            StringBuilder regions = new StringBuilder();
            for (int g = 0; g < p.regionCount(); g++) {
                regions.setLength(0);
                regions.append(p.regionId(g)).append(' ').append(p.kept(g)).append(' ').append(p.leaderStore(g))
                        .append('\n');
                out.write(regions.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        System.out.printf("%s %s %s: %d commands, %d regions, sha256 %s%n", args[0], args[1], args[2],
                p.commandCount(), p.regionCount(), HexFormat.of().formatHex(sha.digest()));
    }
}
