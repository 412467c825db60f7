package org.ichtriage.kafka;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import ch.qos.logback.classic.Level;

class ExpectedKafkaWarningsTest {
    private static final String CONTROLLER = "org.apache.kafka.controller.QuorumController";
    private static final String NETWORK = "org.apache.kafka.clients.NetworkClient";

    @Test
    void theWarningsOfAHealthyStartAndStopAreDropped() {
        // as printed by `ich-triage run` with Kafka 4.4 (docs/decisions/operator-experience.md)
        assertTrue(ExpectedKafkaWarnings.isExpected(Level.WARN, CONTROLLER, "[QuorumController id=1] Performing controller activation. "
                + "The metadata log appears to be empty. Appending 6 bootstrap record(s) in metadata transaction"));
        assertTrue(ExpectedKafkaWarnings.isExpected(Level.WARN, NETWORK, "[NodeToControllerChannelManager id=1 name=registration] "
                + "Attempting to close NetworkClient that has already been closed."));
        assertTrue(ExpectedKafkaWarnings.isExpected(Level.WARN, "org.apache.kafka.streams.StreamsConfig",
                "Processing exception handler is not enabled for the GlobalThread. It's recommended to set"));
    }

    @Test
    void realWarningsOfTheSameLoggersStay() {
        assertFalse(ExpectedKafkaWarnings.isExpected(Level.WARN, NETWORK, "[AdminClient clientId=adminclient-1] Connection to node -1 "
                + "(localhost/127.0.0.1:9093) could not be established. Node may not be available."));
        assertFalse(ExpectedKafkaWarnings.isExpected(Level.WARN, CONTROLLER, "[QuorumController id=1] Renouncing leadership"));
        assertFalse(ExpectedKafkaWarnings.isExpected(Level.ERROR, NETWORK, "Attempting to close NetworkClient that has already been closed."),
                "only WARN is dropped; the same text at ERROR would be news");
        assertFalse(ExpectedKafkaWarnings.isExpected(Level.WARN, "org.ichtriage.forward.PacsForwarder",
                "Attempting to close NetworkClient that has already been closed."));
    }
}
