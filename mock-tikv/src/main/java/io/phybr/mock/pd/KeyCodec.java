package io.phybr.mock.pd;

import java.io.ByteArrayOutputStream;

/**
 * TiKV's memcomparable key encoding (tikv {@code components/codec/src/byte.rs encode_bytes}, TiDB
 * {@code codec.EncodeBytes}): groups of 8 bytes, each padded with zeros and followed by a marker {@code 0xFF - pad}.
 * PD stores region boundaries encoded (the empty key stays empty: −∞ / +∞), so pdpb's region keys are encoded while
 * kvrpcpb's keys are raw — a client must convert between them (client-go's codec PD client does).
 */
public final class KeyCodec {
    private static final int GROUP = 8;
    private static final int MARKER = 0xFF;

    private KeyCodec() {
    }

    public static byte[] encode(byte[] raw) {
        if (raw.length == 0) {
            return raw;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((raw.length / GROUP + 1) * (GROUP + 1));
        for (int i = 0; i <= raw.length; i += GROUP) {
            int n = Math.min(GROUP, raw.length - i);
            out.write(raw, i, n);
            for (int p = n; p < GROUP; p++) {
                out.write(0);
            }
            out.write(MARKER - (GROUP - n));
        }
        return out.toByteArray();
    }

    /** Decodes an encoded key; a key that is not validly encoded is taken as raw (PD does not check either). */
    public static byte[] decode(byte[] enc) {
        if (enc.length == 0 || enc.length % (GROUP + 1) != 0) {
            return enc;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(enc.length);
        for (int i = 0; i < enc.length; i += GROUP + 1) {
            int pad = MARKER - (enc[i + GROUP] & 0xFF);
            if (pad < 0 || pad > GROUP) {
                return enc;
            }
            out.write(enc, i, GROUP - pad);
            if (pad > 0) {
                return i + GROUP + 1 == enc.length ? out.toByteArray() : enc;
            }
        }
        return enc;
    }
}
