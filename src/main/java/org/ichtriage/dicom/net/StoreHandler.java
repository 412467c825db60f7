package org.ichtriage.dicom.net;

/**
 * Receives each C-STORE. The SCP sends the C-STORE-RSP only after this returns, with the
 * returned status, so a handler that returns success must have made the instance durable.
 * It is called concurrently from several associations. A thrown RuntimeException is answered
 * with 0110 (processing failure).
 */
@FunctionalInterface
public interface StoreHandler {
    StoreStatus store(StoreRequest request);
}
