package io.phybr.contract.dump;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fast path's key decoder (eight digits a step) against a digit-by-digit reading of the same bytes. */
class HexKeyTest {
    private static final String ALPHABET = "0123456789abcdef";
    /** Bytes a key must refuse: upper case, the neighbours of each range, a quote, a backslash, non-ASCII. */
    private static final byte[] WRONG = "ABCDEF/:`g\"\\ \u007f".getBytes(StandardCharsets.ISO_8859_1);

    @Test
    void acceptsAndDecodesExactlyTheKeysADigitByDigitReadingDoes() {
        SplittableRandom r = new SplittableRandom(0x5eed);
        for (int round = 0; round < 20_000; round++) {
            int digits = r.nextInt(round < 10_000 ? 40 : 300);
            byte[] line = new byte[3 + digits + r.nextInt(20)];
            int at = 1 + r.nextInt(2);
            for (int k = 0; k < line.length; k++) {
                line[k] = (byte) ALPHABET.charAt(r.nextInt(16));
            }
            if (r.nextInt(4) != 0 && at + digits < line.length) {
                line[at + digits] = '"';
            }
            int bad = r.nextInt(3) == 0 ? at + r.nextInt(Math.max(1, digits)) : -1;
            if (bad >= 0 && bad < line.length) {
                int kind = r.nextInt(WRONG.length + 2);
                line[bad] = kind < WRONG.length ? WRONG[kind] : (byte) (0x80 + r.nextInt(128));
            }
            int limit = r.nextInt(8) == 0 ? r.nextInt(line.length + 1) : line.length;
            String seen = "round " + round + ": " + new String(line, StandardCharsets.ISO_8859_1) + " at " + at
                    + " limit " + limit;

            ReplicaBatch fast = new ReplicaBatch(4, 2);
            int i = fast.row(1, 2, 0, 3, 4, 0, 5, false, false);
            int got = fast.putHexKey(i, line, Math.min(at, limit), limit, true, 1 << 20);
            byte[] want = reference(line, Math.min(at, limit), limit);
            if (want == null) {
                assertThat(got).as(seen).isEqualTo(-1);
            } else {
                assertThat(got).as(seen).isEqualTo(Math.min(at, limit) + want.length * 2);
                assertThat(fast.startKey(i)).as(seen).isEqualTo(want);
            }
        }
    }

    /** The key before the first quote in [at, limit) if it is an even count of lowercase hex digits, else null. */
    private static byte[] reference(byte[] b, int at, int limit) {
        int q = at;
        while (q < limit && b[q] != '"') {
            q++;
        }
        if (q >= limit || ((q - at) & 1) != 0) {
            return null;
        }
        byte[] out = new byte[(q - at) / 2];
        for (int k = 0; k < out.length; k++) {
            int hi = ALPHABET.indexOf(b[at + 2 * k]);
            int lo = ALPHABET.indexOf(b[at + 2 * k + 1]);
            if (hi < 0 || lo < 0) {
                return null;
            }
            out[k] = (byte) (hi << 4 | lo);
        }
        return Arrays.copyOf(out, out.length);
    }
}
