/**
 * Recording a run into a directory ({@link io.phybr.adviser.record.RunRecorder}), so that it can be replayed.
 *
 * <p>How a collector uses {@code RunRecorder}: four calls. The seed-protocol {@code serve} does exactly this
 * ({@code ServeCommand}, {@code SeedAdviser}, {@code ReportStream}); stock-TiKV {@code recover} does it
 * like this:
 * <pre>{@code
 * // 1. RecoverCommand, before building StockRecovery (--record DIR / --no-record as in ServeCommand):
 * RunRecorder rec = noRecord ? RunRecorder.none() : RunRecorder.open(
 *         recordDir != null ? recordDir : RunRecorder.defaultDir("recover"),
 *         new RunInfo("recover", Policy.BR, Protocol.STOCK, acceptHoles,
 *                 spec.commandLine().getParseResult().originalArgs(), resolvedTs, "TiKV stores listed by PD"));
 * // 2. StoreRpc.collect, one StoreRecording per ReadRegionMeta attempt:
 * StoreRecording r = rec.store(s.id());
 * while (it.hasNext()) { RegionMeta m = it.next();
 *     r.stock(m.getRegionId(), m.getPeerId(), m.getLastLogTerm(), m.getLastIndex(), m.getCommitIndex(),
 *             m.getVersion(), m.getTombstone(), start, end); ... }
 * r.complete();               // the store's report is whole
 * // ... or, in the catch that retries the attempt:  r.discard();  (its lines move to discarded.jsonl)
 * // 3. StockRecovery, right after the plan is made (asynchronous: never delays the recovery):
 * rec.planned(plan);
 * // 4. RecoverCommand, once the outcome is known (also on failure; idempotent; waits for the disk):
 * rec.finish(outcome.exitCode(), outcome.verdict(), diagnosis);
 * }</pre>
 */
package io.phybr.adviser.record;
