package org.ichtriage.events;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

/**
 * Validates events against the published JSON Schemas. The schemas in schemas/ are the contract;
 * the build copies them onto the classpath (a test checks the copies are identical).
 */
public final class EventSchemas {
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private static final Schema RESULT = load("ich-result.v1.schema.json");
    private static final Schema DEADLETTER = load("ich-deadletter.v1.schema.json");
    private static final Schema FORWARDING = load("ich-forwarding.v1.schema.json");
    private static final Schema SKIPPED = load("ich-skipped.v1.schema.json");
    private static final Schema STUDY = load("ich-study-result.v1.schema.json");

    private EventSchemas() {}

    private static Schema load(String name) {
        try (InputStream in = EventSchemas.class.getResourceAsStream("/schemas/" + name)) {
            if (in == null) {
                throw new IllegalStateException("schema " + name + " missing from the classpath");
            }
            return REGISTRY.getSchema(new String(in.readAllBytes(), StandardCharsets.UTF_8), InputFormat.JSON);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Empty when the event is valid, else one line per violation. */
    public static List<String> resultViolations(String json) {
        return messages(RESULT.validate(json, InputFormat.JSON));
    }

    public static List<String> deadLetterViolations(String json) {
        return messages(DEADLETTER.validate(json, InputFormat.JSON));
    }

    public static List<String> forwardingViolations(String json) {
        return messages(FORWARDING.validate(json, InputFormat.JSON));
    }

    public static List<String> skippedViolations(String json) {
        return messages(SKIPPED.validate(json, InputFormat.JSON));
    }

    public static List<String> studyVerdictViolations(String json) {
        return messages(STUDY.validate(json, InputFormat.JSON));
    }

    private static List<String> messages(List<Error> errors) {
        return errors.stream().map(Error::toString).toList();
    }
}
