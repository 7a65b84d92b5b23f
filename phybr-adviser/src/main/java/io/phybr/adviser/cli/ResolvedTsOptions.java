package io.phybr.adviser.cli;

import io.phybr.adviser.dump.BackupMeta;
import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalLong;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --resolved-ts TS | --backup-meta FILE}, shared by the commands that need the resolved ts
 * ({@code serve} answers it to {@code resolve}; {@code recover} deletes every write committed after
 * it). A TSO is an unsigned 64-bit number: the whole range parses, and 0 or a negative number is
 * refused on the command line (exit 2) — a resolved ts of 0 would delete every key.
 */
final class ResolvedTsOptions {
    @Option(names = "--resolved-ts", paramLabel = "TS", converter = Tso.class,
            description = "The resolved ts: a TSO, an unsigned 64-bit number from 1 to 18446744073709551615."
                    + " serve answers it to resolve; recover deletes every write and lock committed after it.")
    Long ts;

    @Option(names = "--backup-meta", paramLabel = "FILE",
            description = "Read the resolved ts from this backup meta: BR's EBS meta (cluster_info.resolved_ts; for"
                    + " recover its tikv.stores also give the TiKV stores to wait for) or a flat {\"resolved_ts\": N}.")
    Path backupMeta;

    /**
     * The resolved ts given, read from the backup meta when that was given; empty when neither was.
     *
     * @throws IOException when the backup meta cannot be read or holds no valid resolved ts
     */
    static OptionalLong read(ResolvedTsOptions options) throws IOException {
        if (options == null) {
            return OptionalLong.empty();
        }
        if (options.ts != null) {
            return OptionalLong.of(options.ts);
        }
        return options.backupMeta == null ? OptionalLong.empty()
                : OptionalLong.of(BackupMeta.readResolvedTs(options.backupMeta));
    }

    /** Parses a TSO as unsigned 64-bit; refuses 0, signs and anything else with a message naming the flag. */
    static final class Tso implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return parse(value);
        }

        static long parse(String value) {
            String v = value.trim();
            String why = null;
            long ts = 0;
            if (v.startsWith("-")) {
                why = "a TSO cannot be negative";
            } else if (v.isEmpty() || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                why = "it is not a decimal number";
            } else {
                try {
                    ts = Long.parseUnsignedLong(v);
                    if (ts == 0) {
                        why = "0 is no resolved ts (recovering to it would delete every key)";
                    }
                } catch (NumberFormatException e) {
                    why = "it is above 18446744073709551615, the largest TSO";
                }
            }
            if (why != null) {
                // picocli prefixes "Invalid value for option '--resolved-ts': ", which names the flag.
                throw new CommandLine.TypeConversionException("'" + value + "' is refused: " + why
                        + ". Give the TSO from 1 to 18446744073709551615 that the backup was taken at (or"
                        + " --backup-meta FILE)");
            }
            return ts;
        }
    }
}
