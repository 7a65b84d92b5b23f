package io.phybr.adviser.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded mutations of an input: byte flips, cuts, repeats, splices from another seed, tokens a parser
 * treats specially (numbers at the edges of their types, JSON punctuation, bad UTF-8, control bytes,
 * protobuf varints and tags), and — for text — whole lines dropped, doubled or swapped. The same
 * (seeds, random) always yields the same input, so a failing input replays from its seed alone.
 */
final class Mutator {
    /** Inputs never grow past this: the point is malformed structure, not volume (oversize is its own case). */
    static final int MAX_BYTES = 64 << 10;

    private static final String[] TEXT_TOKENS = {
        "0", "-1", "1", "18446744073709551615", "18446744073709551616", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "1e400", "1.5", "NaN", "null", "true", "false", "\"\"",
        "\"x\"", "{", "}", "[", "]", "[1,[2]]", "{}", ",", ":", "\"", "\\", "\\u0000", "\\ud800", "\u0000", "\u001b[2J",
        "\r", "\n", "\t", " ", "#", "\u00e9", "zz", "ff", "7480", "-", "r1", "on", "store", "region", "write",
        "fault", "expect", "resolved", "times", "after", "\"store\":", "\"region_id\":", "\"version\":",
        "\"start_key\":\"\"", "\"end_key\":\"\"", "\"tombstone\":true", "\"resolved_ts\":", "\"format\":\"phybr-run/1\"",
    };
    private static final byte[][] BYTE_TOKENS = {
        {(byte) 0xff}, {(byte) 0xc3}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {0}, {0x7f},
        {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
            (byte) 0xff, 0x01}, // the largest varint
        {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
            (byte) 0x80, (byte) 0x80, 0x01}, // an 11-byte varint: malformed
        {0x0a, (byte) 0xff, (byte) 0xff, 0x03}, // a length-delimited field claiming 64 KiB
        {(byte) 0xfa, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}, // the highest tag number
        {0x0b}, {0x0c}, // start/end group
        {0x08}, {0x10}, {0x18}, {0x20}, {0x28}, {0x30}, {0x32}, {0x3a}, {0x42},
    };

    private final List<byte[]> seeds;
    private final boolean text;

    Mutator(List<byte[]> seeds, boolean text) {
        this.seeds = List.copyOf(seeds);
        this.text = text;
    }

    /** A mutant of a random seed: one mutation, or 2 to 4 stacked (a quarter of the time). */
    byte[] next(SplittableRandom r) {
        byte[] in = seeds.get(r.nextInt(seeds.size()));
        int n = r.nextInt(4) == 0 ? 2 + r.nextInt(3) : 1; // mostly one: most inputs stay near valid
        for (int i = 0; i < n; i++) {
            in = once(in, r);
        }
        return in.length > MAX_BYTES ? java.util.Arrays.copyOf(in, MAX_BYTES) : in;
    }

    private byte[] once(byte[] in, SplittableRandom r) {
        int kind = r.nextInt(text ? 10 : 8);
        int len = in.length;
        switch (kind) {
            case 0: { // flip one bit
                if (len == 0) {
                    return token(r);
                }
                byte[] out = in.clone();
                out[r.nextInt(len)] ^= (byte) (1 << r.nextInt(8));
                return out;
            }
            case 1: { // delete a range
                if (len == 0) {
                    return in;
                }
                int at = r.nextInt(len);
                int n = 1 + r.nextInt(Math.min(16, len - at));
                return concat(slice(in, 0, at), slice(in, at + n, len));
            }
            case 2: { // insert a token
                int at = r.nextInt(len + 1);
                return concat(slice(in, 0, at), token(r), slice(in, at, len));
            }
            case 3: { // replace a range with a token
                if (len == 0) {
                    return token(r);
                }
                int at = r.nextInt(len);
                int n = 1 + r.nextInt(Math.min(8, len - at));
                return concat(slice(in, 0, at), token(r), slice(in, at + n, len));
            }
            case 4: // truncate
                return slice(in, 0, len == 0 ? 0 : r.nextInt(len));
            case 5: { // repeat a range (bounded)
                if (len == 0) {
                    return in;
                }
                int at = r.nextInt(len);
                int n = 1 + r.nextInt(Math.min(64, len - at));
                byte[] piece = slice(in, at, at + n);
                return concat(slice(in, 0, at + n), piece, piece, slice(in, at + n, len));
            }
            case 6: { // splice: a head of this, a tail of another seed
                byte[] other = seeds.get(r.nextInt(seeds.size()));
                return concat(slice(in, 0, len == 0 ? 0 : r.nextInt(len)),
                        slice(other, other.length == 0 ? 0 : r.nextInt(other.length), other.length));
            }
            case 7: { // overwrite a byte with a random one
                if (len == 0) {
                    return new byte[] {(byte) r.nextInt(256)};
                }
                byte[] out = in.clone();
                out[r.nextInt(len)] = (byte) r.nextInt(256);
                return out;
            }
            default:
                return lines(in, kind, r);
        }
    }

    /** Line-level changes of text: drop, double or swap whole lines. */
    private static byte[] lines(byte[] in, int kind, SplittableRandom r) {
        List<String> ls = new ArrayList<>(List.of(new String(in, StandardCharsets.ISO_8859_1).split("\n", -1)));
        int i = r.nextInt(ls.size());
        if (kind == 8 && ls.size() > 1) {
            ls.remove(i);
        } else if (kind == 8) {
            ls.add(i, ls.get(i));
        } else {
            int j = r.nextInt(ls.size());
            String a = ls.get(i);
            ls.set(i, ls.get(j));
            ls.set(j, a);
        }
        return String.join("\n", ls).getBytes(StandardCharsets.ISO_8859_1);
    }

    private byte[] token(SplittableRandom r) {
        if (text && r.nextInt(4) != 0) {
            return TEXT_TOKENS[r.nextInt(TEXT_TOKENS.length)].getBytes(StandardCharsets.UTF_8);
        }
        return BYTE_TOKENS[r.nextInt(BYTE_TOKENS.length)];
    }

    private static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, Math.max(from, to));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }
}
