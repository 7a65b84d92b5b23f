package io.phybr.adviser.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The well-formed inputs fuzzing starts from: the repository's own examples and scenarios, read at test time. */
final class Corpus {
    /** The README's sample dump (seed protocol), 12 replicas over 3 stores. */
    static final List<String> SAMPLE_DUMP = lines(root().resolve("examples/sample-dump.jsonl"));

    private Corpus() {
    }

    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("examples"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("the project root (with examples/) is not above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    /** The sample dump in stock-TiKV fields: peer_id, last_log_term, last_index, commit_index. */
    static List<String> stockSampleDump() {
        List<String> out = new ArrayList<>();
        for (String l : SAMPLE_DUMP) {
            String store = field(l, "store");
            String region = field(l, "region_id");
            String applied = field(l, "applied_index");
            out.add(l.replace("\"applied_index\":" + applied + ",\"term\":" + field(l, "term"),
                    "\"peer_id\":" + (Long.parseLong(store) * 1000 + Long.parseLong(region)) + ",\"last_log_term\":"
                            + field(l, "term") + ",\"last_index\":" + (Long.parseLong(applied) + 2)
                            + ",\"commit_index\":" + applied));
        }
        return out;
    }

    /** Every scenario of the mock's corpus. */
    static List<byte[]> scenarios() {
        try (Stream<Path> s = Files.list(root().resolve("mock-tikv/scenarios"))) {
            return s.filter(p -> p.toString().endsWith(".scn")).sorted().map(Corpus::bytes).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The numeric value of {@code "name":N} in a dump line. */
    static String field(String line, String name) {
        int at = line.indexOf("\"" + name + "\":") + name.length() + 3;
        int end = at;
        while (end < line.length() && Character.isDigit(line.charAt(end))) {
            end++;
        }
        return line.substring(at, end);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
