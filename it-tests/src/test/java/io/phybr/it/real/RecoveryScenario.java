package io.phybr.it.real;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * One real recovery, the same on any {@link RealCluster}: data written while the stores go down at different
 * moments (store 3 first, so it lags behind the other two), PD marked, the stores back in recovery mode, the
 * real adviser jar's {@code recover}, then a normal restart and the data checked at the resolved ts. On any
 * failure the cluster's logs are printed before the error propagates.
 */
public final class RecoveryScenario {
    static final int ROWS_PER_BATCH = 100;
    private static final Duration BOOT = Duration.ofMinutes(3);
    private static final Duration POLL = Duration.ofSeconds(2);

    private final RealCluster cluster;

    public RecoveryScenario(RealCluster cluster) {
        this.cluster = cluster;
    }

    public void run() throws Exception {
        try {
            steps();
        } catch (Throwable t) {
            System.out.println("==== the cluster when the scenario failed\n" + cluster.dumpLogs());
            throw t;
        }
    }

    private void steps() throws Exception {
        cluster.start();
        PdHttp pd = new PdHttp(cluster.pdHttpUrl());
        await("3 stores Up, every region led").atMost(BOOT).pollInterval(POLL).until(() -> pd.storesUpAndRegionsLed(RealCluster.STORES));
        // Normal boots: nobody is in recovery mode yet (else the check after the marker would prove nothing).
        for (int i = 1; i <= RealCluster.STORES; i++) {
            assertThat(cluster.recoveryModeBoots(i)).as("store %d booted in recovery mode before the marker", i).isZero();
        }
        sql("CREATE DATABASE IF NOT EXISTS t", "CREATE TABLE t.kv (k INT PRIMARY KEY, v VARCHAR(64))");
        insert(1, "all-stores");               // batch 1: on every store
        cluster.stopStore(3);                  // store 3 goes down first: it will lag behind
        insert(ROWS_PER_BATCH + 1, "two-stores"); // batch 2: committed by the majority (stores 1, 2) only
        long resolvedTs = queryLong("SELECT TIDB_CURRENT_TSO()");
        insert(2 * ROWS_PER_BATCH + 1, "after-ts"); // batch 3: after the resolved ts, must be deleted
        cluster.stopSql();                     // nobody writes during recovery
        cluster.stopStore(2);                  // the other two stop at different moments too
        cluster.stopStore(1);

        JsonNode scheduleBefore = pd.get("/pd/api/v1/config").path("schedule");
        assertThat(pd.post(PdHttp.MARKER)).as("PD sets the snapshot-recovering marker").isEqualTo(200);
        assertThat(pd.marked()).isTrue();
        for (int i = 1; i <= RealCluster.STORES; i++) {
            cluster.startStore(i);             // reads the marker at boot: recovery mode
        }
        for (int i = 1; i <= RealCluster.STORES; i++) {
            int store = i;
            await("store " + i + " logs '" + TikvContainer.RECOVERY_MODE_LINE + "'").atMost(BOOT).pollInterval(POLL)
                    .until(() -> cluster.recoveryModeBoots(store) == 1);
        }

        RealCluster.AdviserRun run = cluster.recover("--resolved-ts", Long.toString(resolvedTs), "--expected-stores",
                Integer.toString(RealCluster.STORES), "--collect-timeout", "5m",
                "--no-record");
        assertThat(run.exitCode()).as("recover's exit code; its output:\n%s", run.output()).isZero();
        assertThat(run.output()).contains("phybr recover: recovered " + RealCluster.STORES + " stores");
        assertThat(pd.marked()).as("the adviser removed PD's marker").isFalse();
        assertThat(pd.get("/pd/api/v1/config").path("schedule")).as("PD's scheduling is back").isEqualTo(scheduleBefore);

        for (int i = 1; i <= RealCluster.STORES; i++) {
            cluster.stopStore(i);              // a normal restart: the marker is gone
            cluster.startStore(i);
        }
        await("3 stores Up after the normal restart").atMost(BOOT).pollInterval(POLL).until(() -> pd.storesUpAndRegionsLed(RealCluster.STORES));
        for (int i = 1; i <= RealCluster.STORES; i++) {
            assertThat(cluster.recoveryModeBoots(i)).as("store %d booted in recovery mode again", i).isEqualTo(1);
        }
        cluster.startSql();
        sql("ADMIN CHECK TABLE t.kv");         // fails if rows and index disagree
        assertThat(queryLong("SELECT COUNT(*) FROM t.kv WHERE k <= " + 2 * ROWS_PER_BATCH))
                .as("rows committed before the resolved ts (batch 2 only on the two stores that did not lag)")
                .isEqualTo(2L * ROWS_PER_BATCH);
        assertThat(queryLong("SELECT COUNT(*) FROM t.kv WHERE k > " + 2 * ROWS_PER_BATCH))
                .as("rows committed after the resolved ts").isZero();
    }

    private void insert(int from, String value) throws SQLException {
        StringBuilder values = new StringBuilder();
        for (int k = from; k < from + ROWS_PER_BATCH; k++) {
            values.append(k == from ? "" : ",").append('(').append(k).append(",'").append(value).append("')");
        }
        sql("INSERT INTO t.kv VALUES " + values);
    }

    private void sql(String... statements) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String st : statements) {
                s.execute(st);
            }
        }
    }

    private long queryLong(String query) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(query)) {
            assertThat(r.next()).as(query).isTrue();
            return r.getLong(1);
        }
    }

    private Connection connect() throws SQLException {
        DriverManager.setLoginTimeout(30);
        return DriverManager.getConnection(cluster.jdbcUrl());
    }
}
