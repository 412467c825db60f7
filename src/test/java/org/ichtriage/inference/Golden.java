package org.ichtriage.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

/** Reads the golden vectors that training/ writes into src/test/resources/golden/. */
final class Golden {
    static final ObjectMapper JSON = new ObjectMapper();

    private Golden() {
    }

    static List<Path> files(String prefix) throws IOException, URISyntaxException {
        URL dir = Golden.class.getClassLoader().getResource("golden");
        if (dir == null) return List.of();
        try (Stream<Path> s = Files.list(Path.of(dir.toURI()))) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix) && p.toString().endsWith(".json"))
                    .sorted().toList();
        }
    }

    static JsonNode read(Path p) throws IOException {
        return JSON.readTree(p.toFile());
    }

    static byte[] bytes(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null) throw new IllegalArgumentException("golden file lacks " + field);
        return Base64.getDecoder().decode(v.asText());
    }

    static short[] int16(JsonNode n, String field) {
        ByteBuffer b = ByteBuffer.wrap(bytes(n, field)).order(ByteOrder.LITTLE_ENDIAN);
        short[] out = new short[b.remaining() / 2];
        b.asShortBuffer().get(out);
        return out;
    }

    static float[] float32(JsonNode n, String field) {
        ByteBuffer b = ByteBuffer.wrap(bytes(n, field)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    static boolean[] uint8Mask(JsonNode n, String field) {
        byte[] raw = bytes(n, field);
        boolean[] out = new boolean[raw.length];
        for (int i = 0; i < raw.length; i++) out[i] = raw[i] != 0;
        return out;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return m;
    }
}
