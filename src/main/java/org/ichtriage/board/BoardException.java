package org.ichtriage.board;

/** A board request that cannot be answered from the topics; the message says which record and why. */
public final class BoardException extends RuntimeException {
    public BoardException(String message) {
        super(message);
    }
}
