package io.phybr.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Runs everywhere (no Docker needed): the real-cluster ITs' image tags are pinned and readable. */
class ClusterImagesTest {
    @Test
    void tagsArePinnedInDockerEnv() {
        ClusterImages images = ClusterImages.load();
        assertThat(images.pd).startsWith("pingcap/pd:v");
        assertThat(images.tikv).startsWith("pingcap/tikv:v");
        assertThat(images.pd.substring(images.pd.indexOf(':'))).isEqualTo(images.tikv.substring(images.tikv.indexOf(':')));
        assertThat(images.jre).startsWith("eclipse-temurin:17");
    }
}
