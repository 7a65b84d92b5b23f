package io.phybr.it.real;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The repository's root directory, found the same way from Maven, an IDE or any working directory: the
 * {@code phybr.project.root} property if set (the it-tests pom sets it), else the first directory above the
 * working directory or above this class's compiled location that holds both {@code pom.xml} and
 * {@code docker/.env}.
 */
public final class ProjectRoot {
    private ProjectRoot() {}

    public static Path get() {
        return find(startingPoints());
    }

    static List<Path> startingPoints() {
        List<Path> starts = new ArrayList<>();
        String prop = System.getProperty("phybr.project.root");
        if (prop != null && !prop.isBlank()) {
            starts.add(Path.of(prop));
        }
        starts.add(Path.of(System.getProperty("user.dir")));
        try {
            starts.add(Path.of(ProjectRoot.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // no code source (unusual class loader): the other starting points remain
        }
        return starts;
    }

    static Path find(List<Path> starts) {
        for (Path start : starts) {
            for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
                if (isRoot(p)) {
                    return p;
                }
            }
        }
        throw new IllegalStateException("cannot find the phybr repository root (a directory with pom.xml and docker/.env)"
                + " above any of " + starts + "; set -Dphybr.project.root=DIR");
    }

    static boolean isRoot(Path p) {
        return Files.isRegularFile(p.resolve("pom.xml")) && Files.isRegularFile(p.resolve("docker/.env"));
    }

    public static Path resolve(String relative) {
        return get().resolve(relative);
    }
}
