/**
 * The mock TiKV cluster for tests of a recovery adviser. A test author starts here:
 * {@link io.phybr.mock.MockCluster} (a cluster from a scenario or a seeded random history: start its
 * seed-protocol agents against an adviser, await them, read what each store received, get the
 * checker's {@link io.phybr.mock.check.Verdict}) and {@link io.phybr.mock.Rehearsal} (one whole
 * session against any {@link io.phybr.mock.Rehearsal.AdviserLauncher}). Stock TiKV (protocol B):
 * {@link io.phybr.mock.stock.MockStockCluster} with {@link io.phybr.mock.pd.MockPd}. Scripted
 * single calls: {@link io.phybr.mock.agent.StoreClient}. Misbehaviour as data:
 * {@link io.phybr.mock.fault.Fault} (and {@link io.phybr.mock.net.NetFault} through a
 * {@link io.phybr.mock.net.FaultProxy}). Histories: {@link io.phybr.mock.scenario.ScenarioParser} and
 * {@link io.phybr.mock.gen.RandomHistory}; layouts at scale: {@link io.phybr.mock.gen.LayoutGenerator},
 * {@link io.phybr.mock.stock.StockLayouts}; a failing history made small: {@link io.phybr.mock.shrink.Shrinker}.
 *
 * <p>The public types a test may use are listed in {@code PublicApiTest} (this module's tests), each documented;
 * a type whose javadoc opens with "Internal" is public only because another package of this module uses it, and
 * no other module may. Everything else is package-private.
 *
 * <p>This module depends on the wire contract ({@code phybr-contract}) only, never on the adviser: a
 * recovery is judged from the model's history, not from any planner.
 */
package io.phybr.mock;
