package io.phybr.adviser.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Parses durations such as {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 250ms} (or ISO-8601 {@code PT5M}). */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|h|m|s)");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    public static Duration parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.startsWith("pt")) {
            try {
                return checked(Duration.parse(v.toUpperCase(Locale.ROOT)), value);
            } catch (DateTimeParseException | ArithmeticException e) {
                throw bad(value);
            }
        }
        Matcher m = PART.matcher(v);
        Duration total = Duration.ZERO;
        int at = 0;
        while (at < v.length()) {
            if (!m.find(at) || m.start() != at) {
                throw bad(value);
            }
            long n;
            try {
                n = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                throw bad(value);
            }
            try {
                total = total.plus(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                });
            } catch (ArithmeticException e) {
                throw tooLong(value);
            }
            if (total.compareTo(MAX) > 0) {
                throw tooLong(value);
            }
            at = m.end();
        }
        if (v.isEmpty()) {
            throw bad(value);
        }
        return checked(total, value);
    }

    /**
     * The longest duration accepted: every timeout is added to a clock reading somewhere, and a duration near
     * {@code Long.MAX_VALUE} nanoseconds overflows into the past (or an ArithmeticException: exit 1) instead of
     * meaning "wait very long". A thousand days is longer than any restore.
     */
    public static final Duration MAX = Duration.ofDays(1000);

    private static Duration checked(Duration d, String value) {
        if (d.isNegative() || d.compareTo(MAX) > 0) {
            throw tooLong(value);
        }
        return d;
    }

    private static CommandLine.TypeConversionException tooLong(String value) {
        return new CommandLine.TypeConversionException("'" + value + "' is out of range: a duration is at most "
                + MAX.toDays() + " days (24000h)");
    }

    private static CommandLine.TypeConversionException bad(String value) {
        return new CommandLine.TypeConversionException("'" + value + "' is not a duration (examples: 30s, 5m, 1h30m,"
                + " 250ms)");
    }
}
