package org.ichtriage;

/** A mistake of the user (a bad option, a missing model, a topic that does not exist): the command line prints its message and exits with 2, without a stack trace. */
public final class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }
}
