/**
 * One fault model for agents, stock stores and PD: {@link io.phybr.mock.fault.Fault} variants (declared by family in
 * {@code Fault}, {@code AgentVariants}, {@code StoreVariants} and {@code PdVariants}, all named {@code Fault.X}) fired at
 * named lifecycle points ({@link io.phybr.mock.fault.AgentPoint}, {@link io.phybr.mock.fault.StorePoint},
 * PD's request point), written in {@code .scn} files through the one keyword table
 * {@link io.phybr.mock.fault.FaultSyntax}.
 */
package io.phybr.mock.fault;
