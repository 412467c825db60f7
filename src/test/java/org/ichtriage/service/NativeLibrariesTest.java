package org.ichtriage.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibrariesTest {
    @TempDir
    Path state;

    @Test
    void onnxRuntimeLibrariesAreExtractedUnderTheStateDirWhichIsEmptiedFirst() throws Exception {
        String resources = "/ai/onnxruntime/native/" + NativeLibraries.platform() + "/";
        assumeTrue(NativeLibraries.class.getResource(resources + "libonnxruntime.so") != null, "no ONNX Runtime libraries for this platform");
        Path dir = state.resolve("native").resolve("onnxruntime");
        Files.createDirectories(dir.resolve("left-over"));
        Files.writeString(dir.resolve("left-over").resolve("libold.so"), "from an earlier start");
        Files.writeString(dir.resolve("libonnxruntime.so.part"), "torn write of a killed start");

        assertEquals(dir, NativeLibraries.extractOnnxRuntime(state, resources));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("libonnxruntime.so", "libonnxruntime4j_jni.so"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        try (InputStream in = NativeLibraries.class.getResourceAsStream(resources + "libonnxruntime4j_jni.so")) {
            assertArrayEquals(in.readAllBytes(), Files.readAllBytes(dir.resolve("libonnxruntime4j_jni.so")));
        }
        // a second start replaces, never accumulates
        NativeLibraries.extractOnnxRuntime(state, resources);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(2, files.count());
        }
        assertFalse(Files.exists(dir.resolve("left-over")));
    }
}
