package io.phybr.adviser.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DurationConverterTest {
    @Test
    void parsesUnitsAndCombinations() {
        assertThat(DurationConverter.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationConverter.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(DurationConverter.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(DurationConverter.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(DurationConverter.parse("1h30m5s")).isEqualTo(Duration.ofSeconds(5405));
        assertThat(DurationConverter.parse("PT10M")).isEqualTo(Duration.ofMinutes(10));
        assertThat(DurationConverter.parse(" 10S ")).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void rejectsWhatIsNotADuration() {
        for (String bad : new String[] {"", "10", "s", "10x", "5m junk", "-5s", "PTX", "99999999999999999999s"}) {
            assertThatThrownBy(() -> DurationConverter.parse(bad)).as(bad)
                    .isInstanceOf(CommandLine.TypeConversionException.class).hasMessageContaining("is not a duration");
        }
    }
}
