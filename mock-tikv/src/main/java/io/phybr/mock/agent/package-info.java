/**
 * Seed-protocol agents. For tests: {@link io.phybr.mock.agent.StoreClient} (one scripted stream or
 * call at a time) and {@link io.phybr.mock.agent.AgentReport} (what an agent of a
 * {@link io.phybr.mock.MockCluster} saw). {@link io.phybr.mock.agent.SeedAgent} plays one store of a
 * scenario to the end and is driven by {@code MockCluster}; tests rarely build one directly. Its report
 * stream, {@link io.phybr.mock.agent.ReportStream} (flow-controlled, pre-encoded metas from
 * {@link io.phybr.mock.agent.MetaBytes}), is what benchmarks drive at a million metas per store.
 */
package io.phybr.mock.agent;
