package org.ichtriage.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A series as a folder of Part 10 files, the way storescu and `ich-triage send` take it. */
public final class SeriesFiles {
    private SeriesFiles() {}

    /** Writes the instances as 000.dcm, 001.dcm, ... in a new folder {@code dir}; returns the files in order. */
    public static List<Path> write(Path dir, List<byte[]> instances) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>(instances.size());
        for (int i = 0; i < instances.size(); i++) {
            files.add(Files.write(dir.resolve(String.format("%03d.dcm", i)), instances.get(i)));
        }
        return files;
    }
}
