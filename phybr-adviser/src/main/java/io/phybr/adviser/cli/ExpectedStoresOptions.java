package io.phybr.adviser.cli;

import io.phybr.adviser.dump.BackupMeta;
import io.phybr.adviser.pd.ExpectedStores;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Option;

/**
 * {@code --expected-stores N}, {@code --allow-missing-stores IDS} and {@code --store-wait-timeout} of {@code recover}:
 * which TiKV stores must be up in PD before anything changes (R14, tidb-operator#5242). BR's backup meta gives the
 * layout too (R15); both given must agree.
 */
final class ExpectedStoresOptions {
    @Option(names = "--expected-stores", paramLabel = "N",
            description = "The number of TiKV stores the cluster had (TiFlash not counted). recover waits until PD lists"
                    + " that many TiKV stores up (they register one by one as they boot) and never recovers a subset."
                    + " Needed unless --backup-meta is BR's meta with its TiKV layout, or --dry-run.")
    Integer expected;

    @Option(names = "--allow-missing-stores", paramLabel = "ID[,ID…]", split = ",",
            description = "Recover WITHOUT these TiKV stores (lost for good): their replicas take no part and may keep"
                    + " data newer than the resolved ts. Never implied.")
    Set<Long> allowMissing;

    @Option(names = "--store-wait-timeout", defaultValue = "10m", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long to wait for the expected TiKV stores to be up in PD. Default: ${DEFAULT-VALUE}.")
    Duration waitTimeout;

    /** The thrown message is one paragraph for the operator (a usage error). */
    ExpectedStores resolve(BackupMeta.Info meta, boolean dryRun) {
        Set<Long> allowed = allowMissing == null ? Set.of() : new TreeSet<>(allowMissing);
        if (allowed.stream().anyMatch(id -> id <= 0)) {
            throw new IllegalArgumentException("--allow-missing-stores takes store ids (positive numbers), not " + allowed);
        }
        if (expected != null && expected < 1) {
            throw new IllegalArgumentException("--expected-stores must be at least 1, not " + expected);
        }
        boolean fromMeta = meta != null && meta.tikvStores().isPresent();
        if (fromMeta && expected != null && expected != meta.tikvStores().getAsInt()) {
            throw new IllegalArgumentException("--expected-stores " + expected + " disagrees with the backup meta, whose"
                    + " TiKV layout has " + meta.tikvStores().getAsInt() + " stores" + (meta.storeIds().isEmpty() ? ""
                    : " " + meta.storeIds()) + "; give the right count or leave --expected-stores out");
        }
        if (fromMeta) {
            return new ExpectedStores(meta.tikvStores().getAsInt(), Set.copyOf(meta.storeIds()), allowed,
                    "the backup meta's tikv.stores");
        }
        if (expected != null) {
            return new ExpectedStores(expected, Set.of(), allowed, "--expected-stores " + expected);
        }
        if (!allowed.isEmpty()) {
            throw new IllegalArgumentException("--allow-missing-stores needs the expected store count (--expected-stores N"
                    + " or BR's backup meta)");
        }
        if (!dryRun) {
            throw new IllegalArgumentException("give --expected-stores N (the TiKV stores the cluster had), or BR's backup"
                    + " meta with its TiKV layout via --backup-meta: after a volume restore TiKVs register in PD one by"
                    + " one, and recovering the ones listed so far would leave the late ones with data newer than the"
                    + " resolved ts (tidb-operator#5242). Only --dry-run goes without");
        }
        return ExpectedStores.unknown();
    }
}
