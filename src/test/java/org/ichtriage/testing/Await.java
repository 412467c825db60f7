package org.ichtriage.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting in a test for something another thread or process does, with a deadline that fails the test. */
public final class Await {
    private Await() {}

    /** Checks {@code condition} every 100 ms until it holds; an {@link AssertionError} naming {@code what} after {@code timeout}. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
