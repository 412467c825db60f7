package org.ichtriage.forward;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

import io.micrometer.core.instrument.Counter;
import org.ichtriage.config.PacsDestination;
import org.ichtriage.dicom.net.DicomClient;
import org.ichtriage.dicom.net.ScuConfig;
import org.ichtriage.dicom.net.StoreStatus;
import org.ichtriage.events.ForwardingStatus;
import org.ichtriage.DeliveryLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores one object at one PACS destination by C-STORE, with retries and exponential back-off. Knows
 * nothing of Kafka: the forwarder's consume/commit loop decides what is sent and what is committed.
 */
final class DestinationSender {
    private static final Logger log = LoggerFactory.getLogger(PacsForwarder.class);

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);

    /** Waits between attempts; throws when the forwarder stops meanwhile. */
    @FunctionalInterface
    interface Pause {
        void pause(long ms) throws DeliveryLoop.Stopping;
    }

    /** What one destination answered on one attempt: a DIMSE status, or the reason none came. */
    record Attempt(StoreStatus status, String error) {
        boolean stored() {
            return status != null && status.isStored();
        }

        String describe() {
            if (status == null) {
                return error;
            }
            return "status " + ForwardingStatus.hex(status.code()) + (status.comment() == null ? "" : " (" + status.comment() + ")");
        }
    }

    /** The last attempt at a destination and how many were made. */
    record Delivery(Attempt last, int attempts) {}

    private final int maxAttempts;
    private final long backoffMs;
    private final SSLContext tls;
    private final String callingAet;
    private final Map<String, Counter> retries;

    /** @param retries per destination name, counts failed attempts followed by a retry */
    DestinationSender(int maxAttempts, long backoffMs, SSLContext tls, String callingAet, Map<String, Counter> retries) {
        this.maxAttempts = maxAttempts;
        this.backoffMs = backoffMs;
        this.tls = tls;
        this.callingAet = callingAet;
        this.retries = retries;
    }

    /** Tries up to forward.max-attempts times, doubling the delay between attempts up to the cap. */
    Delivery send(PacsDestination d, ForwardObject obj, String kind, Pause pause) throws DeliveryLoop.Stopping {
        int attempts = 0;
        Attempt last;
        long delay = backoffMs;
        while (true) {
            attempts++;
            last = attempt(d, obj);
            if (last.stored() || attempts >= maxAttempts) {
                return new Delivery(last, attempts);
            }
            retries.get(d.toString()).increment();
            log.warn("C-STORE of {} {} to {} failed (attempt {} of {}): {}; retrying in {} ms", kind, obj.sopInstanceUid(), d,
                    attempts, maxAttempts, last.describe(), delay);
            pause.pause(delay);
            delay = DeliveryLoop.nextBackoff(delay);
        }
    }

    /** One association per attempt: a PACS that dropped an earlier one gets a clean start. */
    private Attempt attempt(PacsDestination d, ForwardObject obj) {
        ScuConfig cfg = new ScuConfig(d.host(), d.port(), d.aeTitle(), callingAet, CONNECT_TIMEOUT, RESPONSE_TIMEOUT,
                256 * 1024, tls);
        DicomClient c;
        try {
            c = DicomClient.connect(cfg, DicomClient.propose(List.of(obj.sopClassUid()), List.of(obj.transferSyntaxUid())));
        } catch (IOException | RuntimeException e) {
            return new Attempt(null, "no association: " + e);
        }
        StoreStatus st;
        try {
            st = c.store(obj.sopClassUid(), obj.sopInstanceUid(), obj.transferSyntaxUid(), obj.bytes(), obj.datasetOffset(),
                    obj.datasetLength());
        } catch (IOException | RuntimeException e) {
            c.abort();
            return new Attempt(null, "C-STORE failed: " + e);
        }
        try {
            c.release();
        } catch (IOException e) {
            // The response already came; a lost A-RELEASE-RP does not undo the store.
            log.debug("release from {} failed after status {}: {}", d, ForwardingStatus.hex(st.code()), e.toString());
        }
        return new Attempt(st, null);
    }
}
