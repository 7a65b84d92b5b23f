/** Shrinking a failing scenario (a random history the checker failed) to a minimal {@code .scn}. */
package io.phybr.mock.shrink;
