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

    @Test
    void R15_readsBrsEbsMetaWithItsTikvLayout() throws Exception {
        // tidb br/pkg/config/ebs.go VolSnapBackupMeta: cluster_info.resolved_ts, tikv.replicas, tikv.stores[].store_id/volumes
        String ebs = "{\"cluster_info\":{\"cluster_version\":\"v6.5.0\",\"full_backup_type\":\"aws-ebs\","
                + "\"resolved_ts\":434172134850871297,\"replicas\":{\"pd\":1,\"tikv\":3}},"
                + "\"tikv\":{\"replicas\":3,\"stores\":[{\"store_id\":1,\"volumes\":[{\"volume_id\":\"vol-1\","
                + "\"type\":\"raft-engine.dir\"}]},{\"store_id\":4,\"volumes\":[]},{\"store_id\":5,\"volumes\":[]}]},"
                + "\"pd\":{\"replicas\":1},\"tidb\":{\"replicas\":1},\"kubernetes\":{\"pvs\":[],\"pvcs\":[]},\"region\":\"us-west-2\"}";
        BackupMeta.Info info = BackupMeta.read(write(ebs));
        assertThat(info.resolvedTs()).isEqualTo(434172134850871297L);
        assertThat(info.tikvStores()).hasValue(3);
        assertThat(info.storeIds()).containsExactly(1L, 4L, 5L);
        // the flat form has no layout; tikv.replicas alone gives a count
        assertThat(BackupMeta.read(write("{\"resolved_ts\": 42}")).tikvStores()).isEmpty();
        assertThat(BackupMeta.read(write("{\"cluster_info\":{\"resolved_ts\":\"42\"},\"tikv\":{\"replicas\":4}}")).tikvStores())
                .hasValue(4);
    }

    @Test
    void R15_aLayoutThatContradictsItselfIsRefused() throws Exception {
        assertThatThrownBy(() -> BackupMeta.read(write("{\"cluster_info\":{\"resolved_ts\":5},\"tikv\":{\"replicas\":3,"
                + "\"stores\":[{\"store_id\":1},{\"store_id\":2}]}}"))).hasMessageContaining("\"tikv.replicas\" is 3 but");
        assertThatThrownBy(() -> BackupMeta.read(write("{\"cluster_info\":{\"resolved_ts\":5},\"tikv\":{\"stores\":[]}}")))
                .hasMessageContaining("tikv info is empty");
        assertThatThrownBy(() -> BackupMeta.read(write("{\"cluster_info\":{\"resolved_ts\":5},\"tikv\":{\"stores\":"
                + "[{\"store_id\":1},{\"store_id\":1}]}}"))).hasMessageContaining("lists store 1 twice");
        assertThatThrownBy(() -> BackupMeta.read(write("{\"cluster_info\":{\"resolved_ts\":5},\"resolved_ts\":6}")))
                .hasMessageContaining("differ");
        assertThatThrownBy(() -> BackupMeta.read(write("{\"cluster_info\":{\"resolved_ts\":0}}")))
                .hasMessageContaining("\"cluster_info.resolved_ts\" 0 is not a TSO");
        assertThatThrownBy(() -> BackupMeta.read(write("{\"resolved_ts\":5,\"resolved_ts\":6}")))
                .isInstanceOf(BackupMeta.Invalid.class).hasMessageContaining("Duplicate field");
    }
}
