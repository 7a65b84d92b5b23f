package io.phybr.adviser.stock;

import io.phybr.adviser.pd.ExpectedStores;
import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.pd.PdException;
import io.phybr.adviser.pd.PdRetry;
import io.phybr.adviser.pd.PdStore;
import io.phybr.adviser.pd.StoreWait;
import io.phybr.contract.ExitCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PREPARE's list of the TiKV stores to recover, by id: with expected stores, a bounded wait until PD lists every one
 * up (R14: never a subset the operator did not name); without, PD's store list less TiFlash and tombstone stores.
 */
final class TikvStores {
    private static final Logger LOG = LoggerFactory.getLogger("phybr.recover");

    private TikvStores() {
    }

    static List<PdStore> list(PdClient pd, PdRetry pdRetry, ExpectedStores expected, Duration poll,
                              Duration waitTimeout) throws PhaseFailure, PdException {
        if (expected.known()) {
            List<PdStore> stores = awaitExpected(pd, pdRetry, expected, poll, waitTimeout);
            LOG.info("prepare: {} TiKV stores: {}", stores.size(), StockTexts.describeStores(stores));
            return stores;
        }
        List<PdStore> all = pdRetry.run("list stores", pd::stores);
        List<PdStore> stores = new ArrayList<>();
        for (PdStore s : all) {
            if (s.tiflash()) {
                LOG.info("prepare: skipping TiFlash store {} ({})", s.id(), s.address());
            } else if (s.tombstone()) {
                LOG.info("prepare: skipping tombstone store {} ({})", s.id(), s.address());
            } else {
                stores.add(s);
            }
        }
        stores.sort(Comparator.comparingLong(PdStore::id));
        if (stores.isEmpty()) {
            throw new PhaseFailure(ExitCode.FAILURE, StockTexts.noTikvStores(all.size()));
        }
        LOG.atInfo().addKeyValue("phase", Phase.PREPARE.label()).addKeyValue("stores_total", stores.size())
                .log("prepare: {} TiKV stores: {}", stores.size(), StockTexts.describeStores(stores));
        return stores;
    }

    /** R14: bounded wait until PD lists every expected TiKV store up. */
    private static List<PdStore> awaitExpected(PdClient pd, PdRetry pdRetry, ExpectedStores expected, Duration poll,
                                               Duration waitTimeout) throws PhaseFailure, PdException {
        try {
            return new StoreWait(pd, pdRetry, poll).await(expected, waitTimeout);
        } catch (StoreWait.NotAllUp e) {
            throw new PhaseFailure(e.timedOut() ? ExitCode.TIMEOUT : ExitCode.FAILURE, e.getMessage());
        }
    }
}
