package io.phybr.mock.stock;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.phybr.mock.fault.Fault;
import io.phybr.mock.fault.Fault.CallFault;

/** The named points of one call where a {@link CallFault} fires the same way in every service of a store. */
final class CallFaultPoints {
    private CallFaultPoints() {
    }

    /** Point CALL: a {@link Fault.FailNext} answers the call with its status before anything happens. */
    static boolean failedAtCall(CallFault f, StreamObserver<?> obs) {
        if (f instanceof Fault.FailNext fail) {
            obs.onError(Status.fromCode(fail.code()).withDescription("injected fault").asRuntimeException());
            return true;
        }
        return false;
    }

    /** Point ANSWERED: a {@link Fault.RestartAfterAnswer} restarts the store once the answer is out. */
    static void restartIfAnswered(CallFault f, MockStockStore store) {
        if (f instanceof Fault.RestartAfterAnswer) {
            store.rebootAsync();
        }
    }
}
