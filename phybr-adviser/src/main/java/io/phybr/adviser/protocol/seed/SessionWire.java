package io.phybr.adviser.protocol.seed;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.phybr.proto.seed.CloseReply;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wire side of the {@link Session}'s decisions: the gRPC code each refusal is answered with, and the
 * answers to held {@code close} calls. Called outside the session's lock; an agent that went away while
 * its close was held cannot disturb the others' answers.
 */
final class SessionWire {
    private static final Logger log = LoggerFactory.getLogger(SeedAdviser.class);

    private SessionWire() {
    }

    /** A refused {@code recover_regions} stream. */
    static Status.Code code(StoreRegistry.Refusal why) {
        return switch (why) {
            case ALREADY_OPEN -> Status.Code.ALREADY_EXISTS;
            case ANONYMOUS_AFTER_PLAN -> Status.Code.FAILED_PRECONDITION;
            default -> Status.Code.PERMISSION_DENIED;
        };
    }

    /** A refused {@code close}. */
    static Status.Code code(CloseBarrier.Unattributed why) {
        return why == CloseBarrier.Unattributed.NOT_A_MEMBER ? Status.Code.PERMISSION_DENIED
                : Status.Code.FAILED_PRECONDITION;
    }

    /** {@code ok} to one close. */
    static void ok(StreamObserver<CloseReply> reply) {
        reply.onNext(CloseReply.newBuilder().setOk("ok").build());
        reply.onCompleted();
    }

    /** {@code ok} to every held close: the barrier is passed. */
    static void okAll(List<CloseBarrier.Held<StreamObserver<CloseReply>>> replies) {
        for (CloseBarrier.Held<StreamObserver<CloseReply>> h : replies) {
            try {
                ok(h.reply());
            } catch (RuntimeException e) {
                log.debug("close reply to store {} failed: {}", h.store(), e.toString());
            }
        }
    }

    /** {@code status} to every held close: the session ended without passing the barrier. */
    static void failAll(List<CloseBarrier.Held<StreamObserver<CloseReply>>> replies, Status status) {
        for (CloseBarrier.Held<StreamObserver<CloseReply>> h : replies) {
            try {
                h.reply().onError(status.asRuntimeException());
            } catch (RuntimeException e) {
                log.debug("close reply to store {} failed: {}", h.store(), e.toString());
            }
        }
    }
}
