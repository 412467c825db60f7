package org.ichtriage.pipeline;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.ichtriage.events.EventJson;

/** A JSON serde for small state values (not for pixel data). */
final class JsonSerde {
    private JsonSerde() {}

    static <T> Serde<T> of(Class<T> type) {
        return Serdes.serdeFrom((topic, v) -> v == null ? null : EventJson.toBytes(v),
                (topic, b) -> b == null ? null : EventJson.fromBytes(b, type));
    }
}
