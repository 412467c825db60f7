package org.ichtriage.dicom.seg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the installed dicom3tools and dcmtk programs on a file and returns their combined output. */
final class Judges {
    static final Path DCIODVFY = Path.of("/usr/bin/dciodvfy");
    static final Path DCMDUMP = Path.of("/usr/bin/dcmdump");
    static final Path PYTHON = Path.of("/usr/bin/python3");

    private Judges() {
    }

    static String run(Path program, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(program.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(program + " did not finish in 60 s");
        }
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    static List<String> lines(String output, String word) {
        return output.lines().filter(l -> l.contains(word)).toList();
    }

    static Path write(Path dir, String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }
}
