package org.ichtriage.alerts;

import java.util.List;

/** One kind of alert output: how to send one event to one of its destinations, once. */
public interface Channel extends AutoCloseable {
    /** A result of one attempt; {@code detail} is safe to log (no patient data, no secrets). */
    record Result(boolean delivered, boolean reachable, String detail) {
        public static Result delivered(String detail) {
            return new Result(true, true, detail);
        }

        /** The destination answered and refused (HL7 AE/AR, an HTTP error status). */
        public static Result refused(String detail) {
            return new Result(false, true, detail);
        }

        /** No answer: no connection, a timeout, a broken stream. */
        public static Result unreachable(String detail) {
            return new Result(false, false, detail);
        }
    }

    /** "hl7", "fhir" or "webhook": the output's name in metrics, status records and the consumer group. */
    String name();

    /** Names of the destinations as shown in logs, metrics and status records: never a secret. */
    List<String> destinations();

    /** One attempt; never throws for a destination's failure. */
    Result send(int destination, AlertEvent event, byte[] eventJson);

    @Override
    default void close() {}
}
