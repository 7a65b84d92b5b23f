package io.phybr.mock.model;

/** A history step that cannot happen in a real cluster; the message is one paragraph for humans. */
public final class ModelException extends IllegalArgumentException {
    public ModelException(String message) {
        super(message);
    }
}
