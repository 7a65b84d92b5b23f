package io.phybr.adviser.flashback;

import java.io.ByteArrayOutputStream;
import java.util.Optional;

/**
 * Region boundaries (what ReadRegionMeta reports and PD holds) are TiKV's encoded keys: in transactional mode the
 * memcomparable "bytes" encoding of the user key (8-byte groups, each followed by a marker 0xff − padding). Requests
 * of the kv API — the two flashback calls among them — carry user keys, which TiKV encodes itself
 * ({@code Key::from_raw}); client-go decodes region boundaries the same way before it cuts a range at them
 * (codec PD client). So a request's range is the decoded boundaries; the empty key stays empty (−∞ / +∞).
 */
public final class RequestKeys {
    private RequestKeys() {
    }

    /** The user key a boundary encodes, or empty when it is not a memcomparable encoding. */
    public static Optional<byte[]> decode(byte[] encoded) {
        if (encoded.length == 0) {
            return Optional.of(encoded);
        }
        if (encoded.length % 9 != 0) {
            return Optional.empty();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length / 9 * 8);
        for (int g = 0; g < encoded.length; g += 9) {
            int marker = encoded[g + 8] & 0xff;
            int pad = 0xff - marker;
            if (pad > 8) {
                return Optional.empty();
            }
            boolean last = g + 9 == encoded.length;
            if (pad > 0 && !last || pad == 0 && last) {
                return Optional.empty(); // a short group ends the key, and the key ends with a short group
            }
            for (int i = 0; i < 8; i++) {
                if (i < 8 - pad) {
                    out.write(encoded[g + i]);
                } else if (encoded[g + i] != 0) {
                    return Optional.empty(); // padding is zeros
                }
            }
        }
        return Optional.of(out.toByteArray());
    }
}
