/**
 * Generated clusters: {@link io.phybr.mock.gen.RandomHistory} (seeded histories the model replays),
 * {@link io.phybr.mock.gen.LayoutGenerator} (millions of region reports in constant memory, for
 * capacity tests and adviser tests that need layouts), {@link io.phybr.mock.gen.LayoutShape} (checks a
 * layout is one TiKV could hold). {@link io.phybr.mock.gen.RecordKeys} encodes TiDB record keys.
 * {@link io.phybr.mock.gen.SeedPlan} is the seeds a randomized test checks per run: a fixed corpus and batch, and a
 * fresh batch drawn per run, printed and replayable with one flag.
 */
package io.phybr.mock.gen;
