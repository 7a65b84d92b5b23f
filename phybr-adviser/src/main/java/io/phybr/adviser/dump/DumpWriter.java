package io.phybr.adviser.dump;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Writes region reports in the dump format of SPEC §6: JSON Lines, one replica per line, keys as
 * lowercase hex. Buffered; a line is written whole, so a dump cut short by a crash ends at the
 * last complete line plus at most one partial one.
 */
public final class DumpWriter implements Closeable {
    private static final HexFormat HEX = HexFormat.of();
    private final OutputStream out;
    private final StringBuilder sb = new StringBuilder(64 * 1024);
    private long lines;

    public DumpWriter(OutputStream out) {
        this.out = out;
    }

    public void writeSeed(long store, long regionId, long appliedIndex, long term, long version, boolean tombstone,
                          byte[] start, byte[] end) throws IOException {
        sb.append("{\"store\":").append(Long.toUnsignedString(store))
                .append(",\"region_id\":").append(Long.toUnsignedString(regionId))
                .append(",\"applied_index\":").append(Long.toUnsignedString(appliedIndex))
                .append(",\"term\":").append(Long.toUnsignedString(term));
        tail(version, tombstone, start, end);
    }

    public void writeStock(long store, long regionId, long peerId, long lastLogTerm, long lastIndex, long commitIndex,
                           long version, boolean tombstone, byte[] start, byte[] end) throws IOException {
        sb.append("{\"store\":").append(Long.toUnsignedString(store))
                .append(",\"region_id\":").append(Long.toUnsignedString(regionId))
                .append(",\"peer_id\":").append(Long.toUnsignedString(peerId))
                .append(",\"last_log_term\":").append(Long.toUnsignedString(lastLogTerm))
                .append(",\"last_index\":").append(Long.toUnsignedString(lastIndex))
                .append(",\"commit_index\":").append(Long.toUnsignedString(commitIndex));
        tail(version, tombstone, start, end);
    }

    private void tail(long version, boolean tombstone, byte[] start, byte[] end) throws IOException {
        sb.append(",\"version\":").append(Long.toUnsignedString(version))
                .append(",\"tombstone\":").append(tombstone)
                .append(",\"start_key\":\"").append(HEX.formatHex(start == null ? new byte[0] : start))
                .append("\",\"end_key\":\"").append(HEX.formatHex(end == null ? new byte[0] : end))
                .append("\"}\n");
        lines++;
        if (sb.length() >= 60 * 1024) {
            drain();
        }
    }

    private void drain() throws IOException {
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        sb.setLength(0);
    }

    public long lines() {
        return lines;
    }

    public void flush() throws IOException {
        drain();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        flush();
        out.close();
    }
}
