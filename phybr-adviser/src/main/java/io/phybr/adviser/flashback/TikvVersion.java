package io.phybr.adviser.flashback;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TiKV release as PD lists it ({@code store.version}: {@code 7.5.1}, {@code v8.1.0}, {@code 6.5.0-alpha},
 * {@code 7.1.0-20230601-abcdef}). Only major.minor.patch count; a pre-release suffix counts as the release itself,
 * which is what a nightly of that line serves.
 */
public record TikvVersion(int major, int minor, int patch) implements Comparable<TikvVersion> {
    private static final Pattern SEMVER = Pattern.compile("^v?(\\d{1,4})\\.(\\d{1,4})\\.(\\d{1,6})(?:[-+].*)?$");

    /** The first release whose flashback is right over the whole key space in recovery mode (tikv#13931 fixed in 6.5.0). */
    public static final TikvVersion FLASHBACK_SAFE = new TikvVersion(6, 5, 0);

    /** The version in {@code text}, or empty when PD gave none or something that is not major.minor.patch. */
    public static Optional<TikvVersion> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = SEMVER.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new TikvVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3))));
    }

    @Override
    public int compareTo(TikvVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    public boolean atLeast(TikvVersion o) {
        return compareTo(o) >= 0;
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
