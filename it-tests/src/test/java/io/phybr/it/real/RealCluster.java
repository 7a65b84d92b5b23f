package io.phybr.it.real;

/**
 * A real PD + three TiKV stores + TiDB, however started (containers, TiUP binaries). {@link RecoveryScenario} runs
 * the same recovery against any of them. Stores are numbered 1..{@link #STORES}.
 */
public interface RealCluster extends AutoCloseable {
    int STORES = 3;

    /** Starts PD, the stores and TiDB; returns once each answers its health/status endpoint. */
    void start() throws Exception;

    /** PD's HTTP base URL, from the test JVM. */
    String pdHttpUrl();

    /** TiDB over MySQL's protocol, from the test JVM (valid while SQL runs). */
    String jdbcUrl();

    /** Stops store {@code i}'s process, keeping its data. */
    void stopStore(int i) throws Exception;

    /** Starts store {@code i} again on the same data; it asks PD at boot whether to enter recovery mode. */
    void startStore(int i) throws Exception;

    /** How many times store {@code i} has logged {@link TikvContainer#RECOVERY_MODE_LINE}. */
    long recoveryModeBoots(int i) throws Exception;

    void stopSql() throws Exception;

    void startSql() throws Exception;

    /** Runs the real adviser jar's {@code recover --pd <this PD> ARGS…} and waits for it to exit. */
    AdviserRun recover(String... args) throws Exception;

    /** Everything a reader of a failure needs: each process's log (tail) and state. */
    String dumpLogs();

    @Override
    void close();

    /** The adviser's exit code and everything it printed. */
    record AdviserRun(int exitCode, String output) {}
}
