package io.phybr.adviser.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Background forces start every step, never two at once, and a failed one fails the write. */
class WritebackTest {
    @Test
    void forcesOncePerStepAndPassesEveryByteThrough() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        AtomicInteger forces = new AtomicInteger();
        Writeback w = new Writeback(sink, forces::incrementAndGet, 100);
        byte[] chunk = new byte[40];
        for (int i = 0; i < 10; i++) {
            java.util.Arrays.fill(chunk, (byte) i);
            w.write(chunk, 0, chunk.length);
            w.finish(); // the force a step started has ended before the next write: none is skipped
        }
        w.write('x');
        w.finish();
        assertThat(sink.size()).isEqualTo(401);
        assertThat(sink.toByteArray()[399]).isEqualTo((byte) 9);
        // 400 bytes in steps of 100: forces after bytes 120, 240 and 360 (each resets the count)
        assertThat(forces.get()).isEqualTo(3);
    }

    @Test
    void smallFilesAreNeverForcedInTheBackground() throws IOException {
        AtomicInteger forces = new AtomicInteger();
        Writeback w = new Writeback(new ByteArrayOutputStream(), forces::incrementAndGet, Writeback.STEP);
        w.write(new byte[1 << 16], 0, 1 << 16);
        w.finish();
        assertThat(forces.get()).isZero();
    }

    @Test
    void aFailedBackgroundForceFailsTheWrite() throws IOException {
        Writeback w = new Writeback(new ByteArrayOutputStream(), () -> {
            throw new IOException("Input/output error");
        }, 10);
        w.write(new byte[10], 0, 10);
        assertThatThrownBy(w::finish).isInstanceOf(IOException.class).hasMessage("Input/output error");
        assertThatThrownBy(() -> w.write(1)).isInstanceOf(IOException.class).hasMessage("Input/output error");
    }
}
