package io.phybr.it.real;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.Network;

/** The real-cluster ITs' setup, checked without a Docker daemon or TiUP binaries (neither exists here). */
class RealClusterSetupTest {
    @TempDir
    Path tmp;

    @Test
    void containersAreConfiguredFromDockerEnvWithoutTouchingADaemon() {
        ClusterImages images = ClusterImages.load();
        // Network.newNetwork() is lazy and so is a GenericContainer: nothing here talks to Docker.
        Network network = Network.newNetwork();
        try {
            PdContainer pd = new PdContainer(images.pd, network);
            TikvContainer tikv = new TikvContainer(images.tikv, network, 2, pd.internalAddress());
            TidbContainer tidb = new TidbContainer(images.tidb, network, pd.internalAddress());
            assertThat(pd.image()).isEqualTo(images.pd);
            assertThat(pd.getExposedPorts()).containsExactly(2379);
            assertThat(pd.getNetworkAliases()).contains("pd0");
            assertThat(pd.internalAddress()).isEqualTo("pd0:2379");
            assertThat(tikv.image()).isEqualTo(images.tikv);
            assertThat(tikv.getNetworkAliases()).contains("tikv2");
            assertThat(tikv.getExposedPorts()).containsExactly(20160, 20180);
            assertThat(tikv.getCommandParts()).contains("--advertise-addr=tikv2:20160", "--pd=pd0:2379", "--data-dir=/data/tikv2")
                    .noneMatch(a -> a.startsWith("--log-file")); // logs on stderr: the recovery-mode check reads them
            assertThat(tidb.image()).isEqualTo(images.tidb);
            assertThat(tidb.getCommandParts()).contains("--path=pd0:2379");
        } finally {
            network.close(); // never created (no id was asked for): nothing to remove
        }
    }

    @Test
    void tiupLayoutGivesEveryProcessItsOwnPortAndDirectory() {
        AtomicInteger next = new AtomicInteger(30000);
        TiupLayout l = new TiupLayout(tmp, 3, next::getAndIncrement);
        List<Integer> ports = TiupLayout.allPorts(l);
        assertThat(ports).hasSize(10).doesNotHaveDuplicates();
        Path pdBin = Path.of("/t/pd-server");
        Path tikvBin = Path.of("/t/tikv-server");
        assertThat(l.pdCommand(pdBin)).startsWith("/t/pd-server")
                .contains("--client-urls=http://127.0.0.1:30000", "--data-dir=" + tmp.resolve("pd0"),
                        "--initial-cluster=pd0=http://127.0.0.1:30001");
        List<String> all = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            List<String> c = l.tikvCommand(tikvBin, i);
            assertThat(c).contains("--pd=127.0.0.1:30000", "--data-dir=" + tmp.resolve("tikv" + i),
                    "--config=" + tmp.resolve("tikv.toml"));
            all.addAll(c);
        }
        // Three stores, three different data dirs and addresses.
        assertThat(new HashSet<>(all).size()).isEqualTo(1 + 3 * 3 + 2); // binary, pd and config shared
        assertThat(l.tidbCommand(Path.of("/t/tidb-server"))).contains("-path=127.0.0.1:30000", "-P=" + l.tidbPort);
        assertThat(l.jdbcUrl()).startsWith("jdbc:mysql://127.0.0.1:" + l.tidbPort + "/");
    }

    @Test
    void freePortsAreNeverHandedOutTwice() {
        TiupLayout.PortSource free = TiupLayout.PortSource.free();
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ports.add(free.next());
        }
        assertThat(ports).doesNotHaveDuplicates().allMatch(p -> p > 0 && p < 65536);
    }

    @Test
    void tikvConfigKeepsCachesSmallAndReservesNoDisk() {
        String toml = TiupLayout.tikvConfigText();
        assertThat(toml).contains("[storage.block-cache]\ncapacity = \"128MB\"", "reserve-space = \"0MB\"",
                "reserve-raft-space = \"0MB\"");
    }

    @Test
    void tiupBinariesAreFoundInTheComponentCacheOrNamedInTheSkipMessage() throws Exception {
        List<String> missing = new ArrayList<>();
        assertThat(TiupBinaries.find(tmp, "v7.5.1", missing)).isEmpty();
        assertThat(missing).containsExactly(tmp + "/components/pd/v7.5.1/pd-server",
                tmp + "/components/tikv/v7.5.1/tikv-server", tmp + "/components/tidb/v7.5.1/tidb-server");
        assertThat(TiupClusterIT.skipMessage("v7.5.1", missing)).startsWith("SKIPPED: ")
                .contains("has never run on them", "tiup install pd:v7.5.1 tikv:v7.5.1 tidb:v7.5.1", missing.get(0));

        for (String c : TiupBinaries.COMPONENTS) {
            Path p = TiupBinaries.binary(tmp, c, "v7.5.1");
            Files.createDirectories(p.getParent());
            Files.writeString(p, "#!/bin/sh\n");
            assertThat(p.toFile().setExecutable(true)).isTrue();
        }
        missing.clear();
        assertThat(TiupBinaries.find(tmp, "v7.5.1", missing)).hasValueSatisfying(b -> {
            assertThat(b.pd().toString()).endsWith("/components/pd/v7.5.1/pd-server");
            assertThat(b.tikv().toString()).endsWith("/components/tikv/v7.5.1/tikv-server");
            assertThat(b.tidb().toString()).endsWith("/components/tidb/v7.5.1/tidb-server");
        });
        assertThat(TiupBinaries.home(Map.of("TIUP_HOME", "/opt/tiup"))).isEqualTo(Path.of("/opt/tiup"));
        assertThat(TiupBinaries.home(Map.of()).toString()).endsWith("/.tiup");
    }

    @Test
    void realClusterItSaysPlainlyWhyItIsSkipped() {
        assertThat(RealClusterIT.NO_DOCKER).startsWith("SKIPPED: ").contains("Docker daemon", "never run on them");
    }
}
