package io.phybr.adviser.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The live bar: what one line says, how it is redrawn in place, and when it is drawn at all. */
class TerminalBarTest {
    private static PhaseProgress snap(String phase, int done, int total, long count, long elapsedMs, boolean finished) {
        return new PhaseProgress(phase, "region metas", done, total, count, elapsedMs, finished, List.of(), Instant.EPOCH);
    }

    @Test
    void oneLineSaysStoresCountRateElapsedAndWhatIsLeft() {
        assertThat(TerminalBar.render(snap("collect", 1, 3, 12_345, 10_000, false)))
                .isEqualTo("collect    [########----------------]  1/3 stores  12,345 region metas  1,235/s  0:10  ~0:20 left");
        assertThat(TerminalBar.render(snap("collect", 0, 3, 0, 500, false))).as("no estimate before a store is done")
                .isEqualTo("collect    [------------------------]  0/3 stores  0 region metas  0/s  0:00");
        assertThat(TerminalBar.render(snap("wait-apply", 3, 3, 9, 3_723_000, true)))
                .isEqualTo("wait-apply [########################]  3/3 stores  9 region metas  0/s  1:02:03  done");
    }

    @Test
    void redrawsInPlaceAndEndsEachPhaseWithANewline() {
        StringWriter w = new StringWriter();
        TerminalBar bar = new TerminalBar(new PrintWriter(w));
        bar.accept(snap("starting recover", 0, 0, 0, 0, false)); // the progress file's first object: no bar
        bar.accept(snap("collect", 0, 2, 10, 1000, false));
        bar.accept(snap("collect", 1, 2, 20, 2000, false));
        bar.accept(snap("collect", 2, 2, 30, 3000, true));
        bar.accept(snap("collect", 2, 2, 30, 3000, true)); // a repeated last snapshot draws nothing more
        bar.accept(snap("recover", 0, 2, 0, 0, false));
        bar.close();
        String s = w.toString();
        assertThat(s).startsWith("\rcollect    [").doesNotContain("starting");
        assertThat(s.split("\n", -1)).as("one line per phase, each ended").hasSize(3);
        assertThat(s.split("\n")[0].split("\r", -1)).as("collect drawn three times in place").hasSize(4);
        assertThat(s.split("\n")[0].strip()).endsWith("done");
        assertThat(s.split("\n")[1]).startsWith("\rrecover");
    }

    @Test
    void drawnOnATerminalOnlyUnlessAsked() {
        assertThat(TerminalBar.wanted("auto", true, "xterm-256color")).isTrue();
        assertThat(TerminalBar.wanted("auto", false, "xterm-256color")).as("stdout piped or redirected").isFalse();
        assertThat(TerminalBar.wanted("auto", true, "dumb")).isFalse();
        assertThat(TerminalBar.wanted("always", false, null)).isTrue();
        assertThat(TerminalBar.wanted("never", true, "xterm")).isFalse();
        assertThatThrownBy(() -> TerminalBar.wanted("sometimes", true, "xterm")).hasMessageContaining("--progress-bar sometimes");
    }
}
