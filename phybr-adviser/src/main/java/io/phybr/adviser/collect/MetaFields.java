package io.phybr.adviser.collect;

/**
 * The fast decoder of one region-meta message: reads the fields of {@code phybr.RegionMeta} or
 * {@code recover_data.RegionMeta} straight from the message bytes into this reusable holder — no
 * message object, no {@code ByteString}, no key array. The keys stay where they are in the buffer
 * (offset and length); the caller copies them into its own storage.
 *
 * <p>It accepts only the plain encoding protobuf writers produce for these messages: one-byte tags
 * of the message's own fields with their own wire types, varints of at most ten bytes (a tenth
 * byte only as 1, bit 63), key lengths that fit. Anything else — an unknown field, another wire type, a zero tag,
 * a truncated or over-long varint, a length past the end — makes {@link #decode} return false and
 * the caller hands the same bytes to protobuf's general parser, which gives today's result or
 * diagnosis exactly. So whatever this class accepts, protobuf decodes to the same values
 * ({@code MetaFieldsAgreementTest} checks it on seeded random and mutated messages).
 *
 * <p>One instance per stream; not thread-safe. Values hold until the next {@link #decode}.
 */
public final class MetaFields {
    private static final byte NONE = 0;
    private static final byte VARINT = 1;
    private static final byte START = 2;
    private static final byte END = 3;

    /** What each field number 0..15 is (a one-byte tag holds field numbers up to 15). */
    private final byte[] kinds = new byte[16];
    /** Varint values by field number (uint64 and bool fields), 0 when absent. */
    private final long[] values = new long[16];
    private int startOffset;
    private int startLength;
    private int endOffset;
    private int endLength;

    private MetaFields(int[] varintFields, int startField, int endField) {
        for (int f : varintFields) {
            kinds[f] = VARINT;
        }
        kinds[startField] = START;
        kinds[endField] = END;
    }

    /** {@code phybr.RegionMeta}: region_id 1, applied_index 2, term 3, version 4, tombstone 5, start_key 6, end_key 7. */
    public static MetaFields seed() {
        return new MetaFields(new int[] {1, 2, 3, 4, 5}, 6, 7);
    }

    /**
     * {@code recover_data.RegionMeta}: region_id 1, peer_id 2, last_log_term 3, last_index 4, commit_index 5,
     * version 6, tombstone 7, start_key 8, end_key 9.
     */
    public static MetaFields stock() {
        return new MetaFields(new int[] {1, 2, 3, 4, 5, 6, 7}, 8, 9);
    }

    /**
     * Decodes {@code buf[off, off+len)}; true when every byte was taken by the fast path (the values are then
     * what protobuf would decode), false when the general parser must judge the message (values undefined).
     */
    public boolean decode(byte[] buf, int off, int len) {
        long[] v = values;
        for (int i = 0; i < v.length; i++) {
            v[i] = 0;
        }
        startOffset = off;
        startLength = 0;
        endOffset = off;
        endLength = 0;
        int p = off;
        int limit = off + len;
        while (p < limit) {
            int tag = buf[p++];
            if (tag <= 0) {
                return false; // zero tag (invalid) or a tag of more than one byte (not one of our fields)
            }
            byte kind = kinds[tag >>> 3];
            int wire = tag & 7;
            if (kind == VARINT && wire == 0) {
                long r = 0;
                int shift = 0;
                while (true) {
                    if (p >= limit) {
                        return false;
                    }
                    int b = buf[p++];
                    if (shift == 63) {
                        if (b != 1) {
                            // Only the canonical tenth byte (bit 63 set) is ours. protobuf-java's decoders
                            // disagree among themselves on a tenth byte of 0 (its array decoder sets bit 63,
                            // its stream decoder does not; seen by MetaFieldsAgreementTest) and bits above 64
                            // are its call too.
                            return false;
                        }
                        r |= 1L << 63;
                        break;
                    }
                    r |= (long) (b & 0x7f) << shift;
                    if (b >= 0) {
                        break;
                    }
                    shift += 7;
                }
                v[tag >>> 3] = r;
            } else if ((kind == START || kind == END) && wire == 2) {
                int n = 0;
                int shift = 0;
                while (true) {
                    if (p >= limit || shift > 28) {
                        return false;
                    }
                    int b = buf[p++];
                    if (shift == 28 && (b & 0xff) > 7) {
                        return false; // would not be a non-negative int
                    }
                    n |= (b & 0x7f) << shift;
                    if (b >= 0) {
                        break;
                    }
                    shift += 7;
                }
                if (n > limit - p) {
                    return false;
                }
                if (kind == START) {
                    startOffset = p;
                    startLength = n;
                } else {
                    endOffset = p;
                    endLength = n;
                }
                p += n;
            } else {
                return false;
            }
        }
        return true;
    }

    /** The varint (uint64 or bool) field {@code number}, 0 when absent. */
    public long value(int number) {
        return values[number];
    }

    public int startOffset() {
        return startOffset;
    }

    public int startLength() {
        return startLength;
    }

    public int endOffset() {
        return endOffset;
    }

    public int endLength() {
        return endLength;
    }
}
