package org.ichtriage.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.ichtriage.volume.RefusalReason;
import org.junit.jupiter.api.Test;

class DeadLetterReasonTest {

    @Test
    void everyVolumeRefusalIsAnAssemblyReasonOfTheSameName() {
        for (RefusalReason r : RefusalReason.values()) {
            assertEquals(DeadLetterReason.Stage.ASSEMBLY, DeadLetterReason.valueOf(r.name()).stage(), r.name());
        }
    }

    @Test
    void stagesAreThoseOfTheSchema() throws Exception {
        JsonNode schema = new ObjectMapper().readTree(Files.readString(Path.of("schemas/ich-deadletter.v1.schema.json")));
        List<String> names = new java.util.ArrayList<>();
        schema.path("properties").path("stage").path("enum").forEach(n -> names.add(n.asText()));
        assertEquals(names, java.util.Arrays.stream(DeadLetterReason.Stage.values()).map(Enum::name).toList());
    }

    @Test
    void theFactoryWritesTheReasonAndItsStage() {
        DeadLetter dl = new DeadLetters(() -> Instant.parse("2026-01-02T03:04:05Z"), "1.2.3")
                .ofRecord(DeadLetterReason.INFERENCE_FAILED, "boom", "1.2", 3, List.of("1.2.3"), "ich.instances.v1", 1, 42);
        assertEquals("INFERENCE", dl.stage());
        assertEquals("INFERENCE_FAILED", dl.reason());
        assertEquals("2026-01-02T03:04:05Z", dl.createdAt());
        assertEquals(List.of(new ResultEvent.OffsetRange(1, 42, 42)), dl.offsets());
        assertEquals(DeadLetter.SCHEMA, dl.schema());
        assertEquals("1.2.3", dl.softwareVersion());
    }
}
