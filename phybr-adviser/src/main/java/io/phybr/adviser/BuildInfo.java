package io.phybr.adviser;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Version, commit and build time of this build, from {@code phybr-version.properties} (filtered by Maven: the
 * commit from git-commit-id-maven-plugin, the time from {@code maven.build.timestamp}). A value the build could
 * not fill — a source tarball without {@code .git}, an IDE that does not filter — reads {@code unknown}.
 */
public record BuildInfo(String version, String commit, String buildTime) {
    public static final String RESOURCE = "/phybr-version.properties";
    static final String UNKNOWN = "unknown";

    public static BuildInfo current() {
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return of(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE + " from the adviser's jar", e);
        }
    }

    public static BuildInfo of(Properties p) {
        return new BuildInfo(value(p, "version"), value(p, "commit"), value(p, "build.time"));
    }

    /** An unfiltered {@code ${placeholder}} or a blank is "unknown", never printed as if it were a value. */
    private static String value(Properties p, String key) {
        String v = p.getProperty(key, "").strip();
        return v.isEmpty() || v.contains("${") ? UNKNOWN : v;
    }

    /** What {@code --version} prints, one fact per line. */
    public String[] lines() {
        return new String[] {"phybr " + version, "commit: " + commit, "built: " + buildTime};
    }
}
