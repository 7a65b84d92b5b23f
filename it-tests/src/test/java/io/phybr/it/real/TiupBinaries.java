package io.phybr.it.real;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * PD, TiKV and TiDB binaries from TiUP's component cache ({@code $TIUP_HOME}, default {@code ~/.tiup}), at
 * {@code components/<name>/<version>/<name>-server} — where {@code tiup install pd:v7.5.1 tikv:v7.5.1 tidb:v7.5.1}
 * puts them. The version is docker/.env's, so both real-cluster ITs test one release.
 */
record TiupBinaries(Path pd, Path tikv, Path tidb) {
    static final List<String> COMPONENTS = List.of("pd", "tikv", "tidb");

    static Path home(Map<String, String> env) {
        String h = env.get("TIUP_HOME");
        return h != null && !h.isBlank() ? Path.of(h) : Path.of(System.getProperty("user.home"), ".tiup");
    }

    static Path binary(Path home, String component, String version) {
        return home.resolve("components").resolve(component).resolve(version).resolve(component + "-server");
    }

    /** The binaries, or empty with {@code missing} filled with what is absent (for the skip message). */
    static Optional<TiupBinaries> find(Path home, String version, List<String> missing) {
        List<Path> found = new ArrayList<>();
        for (String c : COMPONENTS) {
            Path p = binary(home, c, version);
            if (Files.isExecutable(p)) {
                found.add(p);
            } else {
                missing.add(p.toString());
            }
        }
        return missing.isEmpty() ? Optional.of(new TiupBinaries(found.get(0), found.get(1), found.get(2))) : Optional.empty();
    }
}
