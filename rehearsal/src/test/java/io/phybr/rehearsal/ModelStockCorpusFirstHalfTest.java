package io.phybr.rehearsal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The first half of the scenario corpus under protocol B, in-process (see {@link ModelStockCorpusRun}). */
class ModelStockCorpusFirstHalfTest extends ModelStockCorpusRun {
    static Stream<Arguments> half() throws IOException {
        return scenarios(0);
    }

    @ParameterizedTest(name = "{0} --finish {1}")
    @MethodSource("half")
    void scenarioUnderProtocolB(Path file, String finish) throws Exception {
        recoversUnderProtocolB(file, finish);
    }
}
