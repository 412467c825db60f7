package org.ichtriage.kafka;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops the Kafka warnings that every healthy start or stop of ich-triage prints, so that a warning
 * on the console means something. Each is matched by logger and message start, never by logger
 * alone: the same loggers also report real trouble (an unreachable broker, a fenced producer).
 * Installed on the console appender by logback.xml.
 */
public final class ExpectedKafkaWarnings extends Filter<ILoggingEvent> {
    /** A logger and a fragment of a message that is expected, with why it is harmless. */
    record Expected(String logger, String fragment, String why) {}

    static final List<Expected> EXPECTED = List.of(
            new Expected("org.apache.kafka.controller.QuorumController", "The metadata log appears to be empty",
                    "the embedded broker's first start formats an empty metadata log; it says so at WARN"),
            new Expected("org.apache.kafka.clients.NetworkClient", "Attempting to close NetworkClient that has already been closed",
                    "the embedded broker's shutdown closes its controller channel twice"),
            new Expected("org.apache.kafka.clients.NetworkClient", "[AdminClient clientId=" + KafkaConnection.PROBE_CLIENT_ID + "]",
                    "the command-line tools' broker probe says in one line of its own when no broker answers"),
            new Expected("org.apache.kafka.streams.StreamsConfig", "Processing exception handler is not enabled for the GlobalThread",
                    "PipelineRunner sets processing.exception.handler.global.enabled, but Kafka Streams 4.4 builds a quiet copy of the "
                            + "config without it (ClientUtils.QuietStreamsConfig) that warns anyway"));

    @Override
    public FilterReply decide(ILoggingEvent event) {
        return isExpected(event.getLevel(), event.getLoggerName(), event.getFormattedMessage()) ? FilterReply.DENY : FilterReply.NEUTRAL;
    }

    static boolean isExpected(Level level, String logger, String message) {
        if (level != Level.WARN || message == null) {
            return false;
        }
        for (Expected e : EXPECTED) {
            if (e.logger().equals(logger) && message.contains(e.fragment())) {
                return true;
            }
        }
        return false;
    }
}
