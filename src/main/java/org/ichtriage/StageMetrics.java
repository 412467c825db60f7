package org.ichtriage;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;

/**
 * The one place that records per-stage latency, so that every stage shares one metric definition:
 * Prometheus refuses a name registered once as a histogram and once as a summary.
 */
public final class StageMetrics {
    public static final String NAME = "ich_stage_seconds";

    private StageMetrics() {}

    public static void record(String stage, long amount, TimeUnit unit) {
        Timer.builder(NAME).description("latency of one pipeline stage (ingest_kafka_ack, assembly, preprocess, inference, ...), seconds")
                .tag("stage", stage).publishPercentileHistogram().register(Metrics.globalRegistry)
                .record(Math.max(0, amount), unit);
    }
}
