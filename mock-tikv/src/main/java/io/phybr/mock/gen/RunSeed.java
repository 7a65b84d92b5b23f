package io.phybr.mock.gen;

/**
 * The run seed of a randomized test. Fixed by default: CI checks the same histories on every run, so a red build is a
 * regression of the code, never the luck of a draw (a submission whose CI fails does not land). Exploring is one flag
 * away: {@code -Dprop=random} draws a fresh seed (the caller prints it, so a failure is replayable) and {@code -Dprop=N}
 * replays run N.
 */
public final class RunSeed {
    private RunSeed() {
    }

    /** {@code property}'s seed: unset or blank → {@code fixed}; {@code random} → a fresh non-negative seed; else the number. */
    public static long of(String property, long fixed) {
        String given = System.getProperty(property);
        if (given == null || given.isBlank()) {
            return fixed;
        }
        if (given.strip().equalsIgnoreCase("random")) {
            return new java.security.SecureRandom().nextLong() & Long.MAX_VALUE >>> 1;
        }
        try {
            return Long.parseLong(given.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + property + "=" + given + ": expected a seed (a long) or 'random'");
        }
    }
}
