package io.phybr.adviser.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupMetaTest {
    @TempDir
    Path dir;

    private Path write(String json) throws Exception {
        Path p = dir.resolve("meta.json");
        Files.writeString(p, json);
        return p;
    }

    @Test
    void readsResolvedTsAsNumberOrStringIgnoringOtherFields() throws Exception {
        assertThat(BackupMeta.readResolvedTs(write("{\"resolved_ts\": 434172134850871297}"))).isEqualTo(434172134850871297L);
        assertThat(BackupMeta.readResolvedTs(write("{\"a\": {\"b\": [1, 2]}, \"resolved_ts\": \"42\", \"c\": null}")))
                .isEqualTo(42L);
        // An unsigned TSO above 2^63-1 survives as its bit pattern.
        assertThat(Long.toUnsignedString(BackupMeta.readResolvedTs(write("{\"resolved_ts\": \"18446744073709551615\"}"))))
                .isEqualTo("18446744073709551615");
    }

    @Test
    void explainsWhatIsWrong() throws Exception {
        assertThatThrownBy(() -> BackupMeta.readResolvedTs(write("[1]"))).isInstanceOf(BackupMeta.Invalid.class)
                .hasMessageContaining("expected a JSON object");
        assertThatThrownBy(() -> BackupMeta.readResolvedTs(write("{\"x\": 1}"))).hasMessageContaining("no \"resolved_ts\"");
        assertThatThrownBy(() -> BackupMeta.readResolvedTs(write("{\"resolved_ts\": -3}"))).hasMessageContaining("not a TSO");
        assertThatThrownBy(() -> BackupMeta.readResolvedTs(write("{\"resolved_ts\": 0}"))).hasMessageContaining("not a TSO");
        assertThatThrownBy(() -> BackupMeta.readResolvedTs(write("{\"resolved_ts\": true}"))).hasMessageContaining("must be a number");
        assertThatThrownBy(() -> BackupMeta.readResolvedTs(write("{\"resolved_ts\": 1"))).isInstanceOf(BackupMeta.Invalid.class);
        assertThatThrownBy(() -> BackupMeta.readResolvedTs(write("{resolved_ts: 1}"))).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> BackupMeta.readResolvedTs(dir.resolve("none.json"))).isInstanceOf(NoSuchFileException.class);
    }
}
