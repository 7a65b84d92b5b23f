package io.phybr.rehearsal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The mock's scenario corpus ({@code mock-tikv/scenarios/*.scn}), seen from this module's directory. */
final class Corpus {
    static final Path DIR = Path.of(System.getProperty("phybr.scenarios.dir", "../mock-tikv/scenarios"));

    private Corpus() {
    }

    static Stream<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> p.toString().endsWith(".scn")).sorted().toList().stream();
        }
    }
}
