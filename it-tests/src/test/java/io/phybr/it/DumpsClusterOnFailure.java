package io.phybr.it;

import io.phybr.mock.stock.MockStockCluster;
import java.lang.reflect.Field;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * The harness, not the test, dumps the mock cluster when a test fails (Ratis' MiniRaftCluster): on a failure of a
 * test whose instance holds a {@link MockStockCluster} (directly, or in a {@link StockFixture}), the cluster's state
 * — who serves, who leads, which peers wait, every call in order ({@link MockStockCluster#describe()}) — goes into
 * the test report and onto the failure itself, before {@code @AfterEach} closes the cluster.
 */
final class DumpsClusterOnFailure implements TestExecutionExceptionHandler {
    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        MockStockCluster cluster = context.getTestInstance().map(DumpsClusterOnFailure::clusterOf).orElse(null);
        if (cluster != null) {
            String state;
            try {
                state = cluster.describe();
            } catch (RuntimeException e) {
                state = "(mock cluster state unreadable: " + e + ")";
            }
            System.out.println(state);
            failure.addSuppressed(new AssertionError(state, null));
        }
        throw failure;
    }

    private static MockStockCluster clusterOf(Object test) {
        for (Class<?> c = test.getClass(); c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                Object v;
                try {
                    f.setAccessible(true);
                    v = f.get(test);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    continue;
                }
                if (v instanceof MockStockCluster m) {
                    return m;
                }
                if (v instanceof StockFixture s) {
                    return s.cluster;
                }
            }
        }
        return null;
    }
}
