/** Network faults on real sockets: a TCP proxy that stalls, resets, slows and half-closes at named points. */
package io.phybr.mock.net;
