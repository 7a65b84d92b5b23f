package io.phybr.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The first half of the corpus under protocol B (see {@link ScenarioStockRun}). */
class ScenarioStockIT extends ScenarioStockRun {
    static Stream<Arguments> half() throws IOException {
        return scenarios(0);
    }

    @ParameterizedTest(name = "{0} --finish {1}")
    @MethodSource("half")
    void scenarioUnderProtocolB(Path file, String finish) throws Exception {
        recoverUnderProtocolB(file, finish);
    }
}
