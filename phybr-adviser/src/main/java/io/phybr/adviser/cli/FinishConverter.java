package io.phybr.adviser.cli;

import io.phybr.adviser.flashback.Finish;
import picocli.CommandLine;

/** {@code --finish flashback|resolve}; anything else is a usage error naming both. */
final class FinishConverter implements CommandLine.ITypeConverter<Finish> {
    @Override
    public Finish convert(String value) {
        try {
            return Finish.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
