package io.phybr.it.real;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where the TiUP-started cluster lives and how each process is started: free loopback ports, one directory per
 * process under {@code base}, and small caches so three TiKVs fit on a laptop. Plain data: unit-tested without
 * any binary.
 */
final class TiupLayout {
    static final String HOST = "127.0.0.1";
    final Path base;
    final int pdClientPort;
    final int pdPeerPort;
    final int[] tikvPorts;
    final int[] tikvStatusPorts;
    final int tidbPort;
    final int tidbStatusPort;

    TiupLayout(Path base, int stores, PortSource ports) {
        this.base = base;
        this.pdClientPort = ports.next();
        this.pdPeerPort = ports.next();
        this.tikvPorts = new int[stores];
        this.tikvStatusPorts = new int[stores];
        for (int i = 0; i < stores; i++) {
            tikvPorts[i] = ports.next();
            tikvStatusPorts[i] = ports.next();
        }
        this.tidbPort = ports.next();
        this.tidbStatusPort = ports.next();
    }

    String pdAddress() {
        return HOST + ":" + pdClientPort;
    }

    Path log(String name) {
        return base.resolve(name + ".log");
    }

    List<String> pdCommand(Path binary) {
        return List.of(binary.toString(), "--name=pd0", "--data-dir=" + base.resolve("pd0"),
                "--client-urls=http://" + pdAddress(), "--peer-urls=http://" + HOST + ":" + pdPeerPort,
                "--initial-cluster=pd0=http://" + HOST + ":" + pdPeerPort);
    }

    /** Store {@code i} (1-based); logs go to stderr, which the harness appends to {@link #log}. */
    List<String> tikvCommand(Path binary, int i) {
        return List.of(binary.toString(), "--addr=" + HOST + ":" + tikvPorts[i - 1],
                "--status-addr=" + HOST + ":" + tikvStatusPorts[i - 1], "--data-dir=" + base.resolve("tikv" + i),
                "--pd=" + pdAddress(), "--config=" + tikvConfig());
    }

    List<String> tidbCommand(Path binary) {
        return List.of(binary.toString(), "-store=tikv", "-path=" + pdAddress(), "-host=" + HOST,
                "-P=" + tidbPort, "-status=" + tidbStatusPort);
    }

    Path tikvConfig() {
        return base.resolve("tikv.toml");
    }

    /** TiKV's defaults size caches by the machine's memory and reserve 5 GB of disk; a test wants neither. */
    static String tikvConfigText() {
        return String.join("\n",
                "[server]", "grpc-concurrency = 2",
                "[storage]", "reserve-space = \"0MB\"", "reserve-raft-space = \"0MB\"",
                "[storage.block-cache]", "capacity = \"128MB\"",
                "[rocksdb]", "max-open-files = 256",
                "[raftdb]", "max-open-files = 256", "");
    }

    String jdbcUrl() {
        return "jdbc:mysql://" + HOST + ":" + tidbPort + "/?user=root&useSSL=false&allowPublicKeyRetrieval=true";
    }

    /** Where ports come from: free loopback ports in the IT, a fixed sequence in unit tests. */
    interface PortSource {
        int next();

        /** Ephemeral ports the OS says are free now, never the same one twice. */
        static PortSource free() {
            Set<Integer> handedOut = new HashSet<>();
            return () -> {
                for (int attempt = 0; attempt < 100; attempt++) {
                    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
                        if (handedOut.add(s.getLocalPort())) {
                            return s.getLocalPort();
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException("no free loopback port", e);
                    }
                }
                throw new IllegalStateException("no new free loopback port after 100 tries");
            };
        }
    }

    static List<Integer> allPorts(TiupLayout l) {
        List<Integer> all = new ArrayList<>(List.of(l.pdClientPort, l.pdPeerPort, l.tidbPort, l.tidbStatusPort));
        for (int i = 0; i < l.tikvPorts.length; i++) {
            all.add(l.tikvPorts[i]);
            all.add(l.tikvStatusPorts[i]);
        }
        return all;
    }
}
