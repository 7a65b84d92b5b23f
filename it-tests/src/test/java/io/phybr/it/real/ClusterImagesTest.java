package io.phybr.it.real;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Runs everywhere (no Docker needed): the real-cluster ITs' image tags are pinned and readable. */
class ClusterImagesTest {
    @Test
    void tagsArePinnedInDockerEnv() {
        ClusterImages images = ClusterImages.load();
        assertThat(images.pd).startsWith("pingcap/pd:v");
        assertThat(images.tikv).startsWith("pingcap/tikv:v");
        assertThat(images.tidb).startsWith("pingcap/tidb:v");
        // PD, TiKV and TiDB of one release: the TiUP IT picks its binaries by this version too.
        assertThat(images.tikv).endsWith(":" + images.version());
        assertThat(images.tidb).endsWith(":" + images.version());
        assertThat(images.jre).startsWith("eclipse-temurin:17");
    }

    @Test
    void theRootIsFoundFromAnyWorkingDirectory() throws Exception {
        // Run from "/" (no pom.xml above it): the class's own location still leads to the repository.
        java.nio.file.Path classes = java.nio.file.Path.of(ProjectRoot.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(ProjectRoot.find(java.util.List.of(java.nio.file.Path.of("/"), classes)).resolve("docker/compose.yaml")).exists();
        assertThatThrownBy(() -> ProjectRoot.find(java.util.List.of(java.nio.file.Path.of("/"))))
                .hasMessageContaining("cannot find the phybr repository root");
    }

    @Test
    void parseSkipsCommentsAndTrims() {
        assertThat(ClusterImages.parse("# c\nA=b\n\nPD_IMAGE = x:1 \n")).containsEntry("PD_IMAGE", "x:1").containsEntry("A", "b");
    }

    @Test
    void latestIsNotAPin() throws Exception {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("env", ".env");
        try {
            java.nio.file.Files.writeString(f, "PD_IMAGE=pingcap/pd:latest\n");
            assertThatThrownBy(() -> ClusterImages.load(f)).hasMessageContaining("PD_IMAGE must be a pinned image tag");
        } finally {
            java.nio.file.Files.delete(f);
        }
    }
}
