package io.phybr.adviser.pd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds PD's scheduling off during a recovery the way BR does (tidb {@code br/pkg/pdutil/pd.go},
 * {@code br/pkg/task/restore_data.go}; SPEC R12): schedulers are <em>paused</em> with a delay (never deleted: a
 * deleted scheduler loses its settings), schedule limits, merge and {@code enable-tikv-split-region} are set as TTL
 * config items (the persisted values are never touched), and both are refreshed every TTL/3 while the adviser
 * lives. A killed adviser therefore leaves PD paused for at most the TTL.
 *
 * <p>Before changing anything it writes a {@link PauseLedger} with the operator's values; a rerun after a kill reads
 * the earlier unrestored ledgers, so it resumes the schedulers the killed run paused but not those the operator had
 * paused, and says what it found. {@link #restore} resumes, deletes the TTL items and <em>verifies</em>: nothing it
 * paused is still paused, and a plain write of the operator's values succeeds (PD refuses it while a TTL is live).
 *
 * <p>No monitor is held across a PD call: {@link #restore} may run from a shutdown hook while {@link #pause} is
 * stuck in a call; it waits for that call at most one PD timeout, then goes ahead.
 */
public final class SchedulingPause {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulingPause.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Default TTL of every pause, as BR's {@code pauseTimeout}. */
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

    /** Schedulers that move leaders or regions: paused while recovering (BR pauses balance-* and shuffle-*). */
    public static final Set<String> MOVING = Set.of("balance-leader-scheduler", "balance-region-scheduler",
            "balance-hot-region-scheduler", "balance-witness-scheduler", "shuffle-leader-scheduler",
            "shuffle-region-scheduler", "shuffle-hot-region-scheduler", "random-merge-scheduler",
            "split-bucket-scheduler", "transfer-witness-leader-scheduler", "evict-slow-store-scheduler",
            "evict-slow-trend-scheduler", "label-scheduler");

    /** The TTL items and the value each holds while paused: limits 0, merge off, split off (restore_data.go). */
    static Map<String, JsonNode> pausedValues() {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        for (String k : List.of("leader-schedule-limit", "region-schedule-limit", "replica-schedule-limit",
                "merge-schedule-limit", "hot-region-schedule-limit", "max-merge-region-size", "max-merge-region-keys")) {
            m.put(k, JSON.getNodeFactory().numberNode(0L));
        }
        m.put("enable-tikv-split-region", JSON.getNodeFactory().textNode("false"));
        return m;
    }

    /**
     * Items a killed BR leaves with a TTL that this adviser does not set itself (tidb br/pkg/pdutil/pd.go
     * {@code expectPDCfg}): their TTLs are deleted and the operator's persisted values written back too, so PD ends
     * with no TTL item of either tool live (PD shows no TTL, so a leftover one cannot be seen; deleting is harmless).
     */
    static final List<String> BR_ONLY_TTL_ITEMS = List.of("max-snapshot-count", "enable-location-replacement",
            "max-pending-peer-count");

    private final PdClient pd;
    private final PdRetry retry;
    private final Duration ttl;
    private final PauseLedger ledger;
    private final ReentrantLock calling = new ReentrantLock(); // held only around one PD mutation
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicReference<CompletableFuture<String>> restoring = new AtomicReference<>();
    private volatile ScheduledExecutorService refresher;
    private volatile ObjectNode record;
    private volatile Map<String, JsonNode> ttlItems = Map.of();
    private volatile Map<String, JsonNode> operatorValues = Map.of();
    private volatile List<String> pausedByUs = List.of();
    private volatile List<PauseLedger.Previous> previous = List.of();
    private volatile boolean changed;
    /** Schedulers paused when this run started that no earlier run's ledger explains. */
    private volatile List<String> foundPaused = List.of();

    /** {@code ledgerDir}: the run's recording directory, or null (then a rerun cannot tell whose pauses it finds). */
    public SchedulingPause(PdClient pd, PdRetry retry, Duration ttl, Path ledgerDir) {
        if (ttl.toSeconds() < 3) {
            throw new IllegalArgumentException("the PD pause TTL must be at least 3 s");
        }
        this.pd = pd;
        this.retry = retry;
        this.ttl = ttl;
        this.ledger = new PauseLedger(ledgerDir);
    }

    public SchedulingPause(PdClient pd, PdRetry retry) {
        this(pd, retry, DEFAULT_TTL, null);
    }

    /** Reads what the operator has, persists it, pauses, and starts refreshing. */
    public void pause() throws PdException {
        previous = ledger.unrestoredSiblings();
        Map<String, JsonNode> config = retry.run("read schedule config", pd::scheduleConfig);
        List<String> schedulers = retry.run("list schedulers", pd::schedulers);
        List<String> pausedNow = retry.run("list paused schedulers", pd::pausedSchedulers);
        ObjectNode inherited = previous.isEmpty() ? null : previous.get(0).operator();
        List<String> operatorPaused = new ArrayList<>();
        (inherited != null ? inherited.path("paused_schedulers") : JSON.valueToTree(pausedNow))
                .forEach(n -> operatorPaused.add(n.asText()));
        Map<String, JsonNode> items = new LinkedHashMap<>();
        Map<String, JsonNode> originals = new LinkedHashMap<>();
        pausedValues().forEach((k, v) -> {
            JsonNode was = inherited != null && inherited.path("config").has(k) ? inherited.path("config").get(k) : config.get(k);
            if (was != null) { // an item this PD does not have is skipped, as BR does
                items.put(k, v);
                originals.put(k, was);
            }
        });
        for (String k : BR_ONLY_TTL_ITEMS) {
            JsonNode was = config.get(k);
            if (was != null && !originals.containsKey(k)) {
                originals.put(k, was); // the persisted value: the operator's, whatever a killed run set with a TTL
            }
        }
        foundPaused = inherited == null ? List.copyOf(pausedNow) : List.of();
        List<String> toPause = schedulers.stream().filter(MOVING::contains).filter(s -> !operatorPaused.contains(s)).sorted().toList();
        ttlItems = Map.copyOf(items);
        operatorValues = Map.copyOf(originals);
        pausedByUs = toPause;
        for (PauseLedger.Previous p : previous) {
            LOG.info("prepare: found {} from an earlier run that was never restored (state {}, started {}): it paused"
                    + " schedulers {} and set {} with a {} s TTL", p.file(), p.body().path("state").asText(),
                    p.body().path("started").asText(), p.body().path("changed").path("paused_schedulers"),
                    p.body().path("changed").path("ttl_config"), p.body().path("ttl_seconds").asText());
        }
        ObjectNode rec = JSON.createObjectNode();
        rec.put("state", "pausing");
        rec.put("started", Instant.now().toString());
        rec.put("ttl_seconds", ttl.toSeconds());
        ObjectNode op = rec.putObject("operator");
        op.set("config", JSON.valueToTree(originals));
        op.set("paused_schedulers", JSON.valueToTree(operatorPaused));
        ObjectNode ch = rec.putObject("changed");
        ch.set("ttl_config", JSON.valueToTree(items));
        ch.set("paused_schedulers", JSON.valueToTree(toPause));
        rec.set("inherited_from", JSON.valueToTree(previous.stream().map(p -> p.file().toString()).toList()));
        record = rec;
        ledger.write(rec); // before the first change: a kill from here on leaves the operator's values on disk
        changed = true;
        applyPause();
        rec.put("state", "paused");
        ledger.write(rec);
        LOG.info("prepare: PD paused as BR does for {} s, refreshed every {} s: schedulers {} paused; {} set with a TTL"
                + " (operator's values {})", ttl.toSeconds(), ttl.toSeconds() / 3, toPause, items, originals);
        ScheduledExecutorService r = Executors.newSingleThreadScheduledExecutor(t -> {
            Thread th = new Thread(t, "phybr-pd-pause-refresh");
            th.setDaemon(true);
            return th;
        });
        refresher = r;
        long period = Math.max(1, ttl.toMillis() / 3);
        r.scheduleWithFixedDelay(this::refresh, period, period, TimeUnit.MILLISECONDS);
    }

    private void applyPause() throws PdException {
        for (String s : pausedByUs) {
            mutate("pause scheduler " + s, () -> pd.pauseScheduler(s, ttl.toSeconds()));
        }
        if (!ttlItems.isEmpty()) {
            mutate("set schedule items with a TTL", () -> pd.setConfigTtl(ttlItems, ttl.toSeconds()));
        }
    }

    private void refresh() {
        try {
            applyPause();
            LOG.debug("PD pause refreshed");
        } catch (PdException e) {
            LOG.warn("refreshing PD's pause failed (it holds until its TTL runs out): {}", e.getMessage());
        }
    }

    private void mutate(String what, PdRetry.VoidCall call) throws PdException {
        if (stopped.get()) {
            throw new PdException("PD pause stopped: the run is restoring PD (" + what + " not sent)", 400, null);
        }
        calling.lock();
        try {
            if (stopped.get()) {
                throw new PdException("PD pause stopped: the run is restoring PD (" + what + " not sent)", 400, null);
            }
            retry.runVoid(what, () -> {
                if (stopped.get()) { // checked before every retry too: nothing is paused after a restore started
                    throw new PdException("PD pause stopped: the run is restoring PD (" + what + " not sent)", 400, null);
                }
                call.run();
            });
        } finally {
            calling.unlock();
        }
    }

    /**
     * What a SIGKILL does to this object: refreshing stops, nothing is restored and the ledger stays as it is. For
     * tests that kill a run without killing the JVM.
     */
    public void abandon() {
        stopped.set(true);
        restoring.compareAndSet(null, CompletableFuture.completedFuture("abandoned"));
        ScheduledExecutorService r = refresher;
        if (r != null) {
            r.shutdownNow();
        }
    }

    /**
     * What this run could not put back as the operator had it, or null: schedulers PD had paused when the run started
     * with no ledger of an earlier run to say who paused them. PD does not say who paused a scheduler, so a pause an
     * operator meant and one a killed BR or recover left look the same; they are left as found.
     */
    public String leftAsFound() {
        List<String> found = foundPaused;
        if (found.isEmpty()) {
            return null;
        }
        LOG.warn("finish: schedulers {} were paused before this run and are left paused as found", found);
        return "schedulers " + found + " were already paused when this run started and no record of an earlier run"
                + " explains them: an operator's pause or one left by a killed BR or recover (R12) — PD does not say"
                + " which. They were left as found and resume by themselves when their pause runs out (GET "
                + PdClient.SCHEDULERS + "?status=paused&timestamp=true shows when); if nobody meant them paused, resume"
                + " each with POST " + PdClient.SCHEDULERS + "/NAME {\"delay\":0}";
    }

    public boolean changedAnything() {
        return changed;
    }

    /**
     * Puts back what {@link #pause} changed and verifies it. Returns null when PD is verified as the operator had
     * it, else one sentence naming what is not (and that the pauses expire by themselves within the TTL). Runs once;
     * a concurrent or later caller gets the same answer.
     */
    public String restore() {
        CompletableFuture<String> mine = new CompletableFuture<>();
        CompletableFuture<String> running = restoring.compareAndExchange(null, mine);
        if (running != null) {
            return running.join();
        }
        stopped.set(true);
        ScheduledExecutorService r = refresher;
        if (r != null) {
            r.shutdownNow();
        }
        String result;
        try {
            result = changed ? doRestore() : null;
        } catch (RuntimeException e) {
            result = "PD restore failed: " + e;
        }
        mine.complete(result);
        return result;
    }

    private String doRestore() {
        boolean gotTurn = false;
        try {
            // A pause call in flight ends within one PD timeout (calls are bounded end to end); never wait longer.
            gotTurn = calling.tryLock(pd.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            List<String> failed = new ArrayList<>();
            for (String s : pausedByUs) {
                try {
                    retry.runVoid("resume scheduler " + s, () -> pd.pauseScheduler(s, 0));
                } catch (PdException e) {
                    failed.add("scheduler " + s + " not resumed (" + e.getMessage() + ")");
                }
            }
            if (!ttlItems.isEmpty()) {
                try {
                    retry.runVoid("delete the TTL schedule items", () -> pd.setConfigTtl(operatorValues, 0));
                    // The proof that no TTL is live: PD refuses a plain write over one (400). It writes the operator's values.
                    retry.runVoid("write back the operator's schedule items", () -> pd.setScheduleItems(operatorValues));
                } catch (PdException e) {
                    failed.add("schedule items " + ttlItems.keySet() + " not verified back to " + operatorValues + " ("
                            + e.getMessage() + ")");
                }
            }
            failed.addAll(verify());
            return finishLedger(failed);
        } finally {
            if (gotTurn) {
                calling.unlock();
            }
        }
    }

    private List<String> verify() {
        List<String> problems = new ArrayList<>();
        try {
            List<String> still = new ArrayList<>(retry.run("list paused schedulers", pd::pausedSchedulers));
            still.retainAll(pausedByUs);
            if (!still.isEmpty()) {
                problems.add("schedulers " + still + " are still paused");
            }
            Map<String, JsonNode> now = retry.run("read schedule config", pd::scheduleConfig);
            operatorValues.forEach((k, v) -> {
                JsonNode n = now.get(k);
                if (n == null || !n.asText().equals(v.asText())) {
                    problems.add(k + " is " + n + ", the operator had " + v);
                }
            });
        } catch (PdException e) {
            problems.add("could not verify PD's state (" + e.getMessage() + ")");
        }
        return problems;
    }

    private String finishLedger(List<String> failed) {
        ObjectNode rec = record;
        String self = ledger.file() == null ? "this run" : ledger.file().toString();
        if (failed.isEmpty()) {
            for (PauseLedger.Previous p : previous) {
                PauseLedger.markRestored(p, self);
            }
            if (rec != null) {
                rec.put("state", "restored");
                rec.put("restored", Instant.now().toString());
                ledger.write(rec);
            }
            LOG.info("finish: PD put back and verified: schedulers {} resumed; {} back to the operator's {}{}", pausedByUs,
                    ttlItems.keySet(), operatorValues, previous.isEmpty() ? ""
                            : " (including what " + previous.size() + " earlier unfinished run(s) had paused)");
            return null;
        }
        if (rec != null) {
            rec.put("state", "restore-failed");
            rec.set("problems", JSON.valueToTree(failed));
            ledger.write(rec);
        }
        return "could not verify PD's scheduling restored: " + String.join("; ", failed) + " — the pauses expire by"
                + " themselves within " + ttl.toSeconds() + " s; " + (ledger.file() == null ? "" : ledger.file()
                + " holds the operator's values, and ") + "a rerun of recover puts them back";
    }
}
