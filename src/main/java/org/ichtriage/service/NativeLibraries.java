package org.ichtriage.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where ONNX Runtime's native libraries live: {@code <state.dir>/native/onnxruntime}, emptied and
 * filled again at each start. Left to itself ONNX Runtime extracts them into a new random folder
 * under /tmp on every start and deletes it only on a clean exit, so a worker killed again and again
 * fills /tmp (the probe found 171 MB after a dozen kill -9). RocksDB is pointed at
 * {@code <state.dir>/native/rocksdb} by the launcher (ROCKSDB_SHAREDLIB_DIR, read only from the
 * environment), where it writes one file of a fixed name instead of a new temporary file each start.
 */
public final class NativeLibraries {
    private static final Logger LOG = LoggerFactory.getLogger(NativeLibraries.class);
    /** ONNX Runtime loads its libraries from this folder instead of extracting them when it is set. */
    static final String ORT_NATIVE_PATH = "onnxruntime.native.path";
    private static final List<String> ORT_LIBRARIES = List.of("libonnxruntime.so", "libonnxruntime4j_jni.so");

    private NativeLibraries() {
    }

    /**
     * Extracts ONNX Runtime's libraries under the state folder and tells ONNX Runtime to load them
     * from there; once per process, before the first session. Does nothing where the operator set
     * onnxruntime.native.path, or where the jar carries no libraries for this platform (then ONNX
     * Runtime's own loader reports the problem).
     */
    public static synchronized void useStateDirForOnnxRuntime(Path stateDir) {
        if (System.getProperty(ORT_NATIVE_PATH) != null) {
            return;
        }
        String resources = "/ai/onnxruntime/native/" + platform() + "/";
        if (NativeLibraries.class.getResource(resources + ORT_LIBRARIES.get(0)) == null) {
            return;
        }
        Path dir = extractOnnxRuntime(stateDir, resources);
        System.setProperty(ORT_NATIVE_PATH, dir.toAbsolutePath().toString());
        LOG.info("ONNX Runtime native libraries in {}", dir.toAbsolutePath());
    }

    /**
     * Empties {@code <stateDir>/native/onnxruntime} and copies every library of this platform into it
     * (the CUDA build also carries its execution-provider libraries, which ONNX Runtime then loads
     * from the same folder); returns the folder.
     */
    static Path extractOnnxRuntime(Path stateDir, String resources) {
        Path dir = stateDir.resolve("native").resolve("onnxruntime");
        try {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> old = Files.walk(dir)) {
                    for (Path p : old.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(dir)).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(dir);
            for (String lib : libraryNames(resources)) {
                try (InputStream in = NativeLibraries.class.getResourceAsStream(resources + lib)) {
                    if (in == null) continue;
                    Path tmp = dir.resolve(lib + ".part");
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, dir.resolve(lib), StandardCopyOption.ATOMIC_MOVE);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare ONNX Runtime's native libraries in " + dir.toAbsolutePath(), e);
        }
    }

    /** The files in ONNX Runtime's jar under {@code resources}; the two core libraries when it is not a jar. */
    static List<String> libraryNames(String resources) throws IOException {
        java.security.CodeSource source = ai.onnxruntime.OrtEnvironment.class.getProtectionDomain().getCodeSource();
        Path jar;
        try {
            jar = source == null ? null : Path.of(source.getLocation().toURI());
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            jar = null;
        }
        if (jar == null || !Files.isRegularFile(jar)) return ORT_LIBRARIES;
        String prefix = resources.substring(1);
        List<String> names = new java.util.ArrayList<>();
        try (java.util.jar.JarFile j = new java.util.jar.JarFile(jar.toFile())) {
            j.stream().map(java.util.jar.JarEntry::getName)
                    .filter(n -> n.startsWith(prefix) && n.length() > prefix.length() && n.indexOf('/', prefix.length()) < 0)
                    .map(n -> n.substring(prefix.length())).sorted().forEach(names::add);
        }
        return names.isEmpty() ? ORT_LIBRARIES : names;
    }

    /** ONNX Runtime's name for this platform's resource folder, e.g. linux-x64. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.contains("linux") ? "linux" : os.contains("mac") ? "osx" : os.contains("win") ? "win" : os;
        String a = arch.equals("amd64") || arch.equals("x86_64") ? "x64" : arch.equals("aarch64") ? "aarch64" : arch;
        return o + "-" + a;
    }
}
