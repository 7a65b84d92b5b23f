package io.phybr.it.real;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RecoveryScenario} on PD + 3 TiKV + TiDB started as local processes from TiUP's cached binaries, at the
 * release docker/.env pins. Without them it is reported SKIPPED with the paths it looked for — never passed.
 */
class TiupClusterIT {
    @TempDir
    Path tmp;

    static String skipMessage(String version, List<String> missing) {
        return "SKIPPED: TiupClusterIT needs TiUP's PD, TiKV and TiDB " + version + " binaries and found none at "
                + missing + " (this project's build machines have no TiUP, so it has never run on them). On a machine"
                + " with TiUP: tiup install pd:" + version + " tikv:" + version + " tidb:" + version
                + ", then mvn -B -pl it-tests -am verify -Dit.test=TiupClusterIT";
    }

    @Test
    void recoversAClusterOfTiupBinariesWhoseStoresStoppedAtDifferentMoments() throws Exception {
        String version = ClusterImages.load().version();
        List<String> missing = new ArrayList<>();
        Optional<TiupBinaries> bin = TiupBinaries.find(TiupBinaries.home(System.getenv()), version, missing);
        assumeTrue(bin.isPresent(), () -> skipMessage(version, missing));
        try (TiupCluster cluster = new TiupCluster(bin.get(), tmp)) {
            new RecoveryScenario(cluster).run();
        }
    }
}
