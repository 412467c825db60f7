package org.ichtriage.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.ichtriage.dicom.codec.DicomException;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.DicomReader;

/**
 * The real DICOM data in ../shared/data, read in place. A user's fresh clone has no ../shared: tests
 * that need it are then skipped with the reason, while CI, which has it, runs them.
 */
public final class SharedData {
    private SharedData() {}

    /** The files of the real tilted GE head CT (28 slices, BSD-2), sorted by name; skips the test when absent. */
    public static List<Path> geTiltedFiles() throws IOException {
        Path dir = Path.of(System.getProperty("ich.shared.dir", "../shared"), "data", "ct-head-ge-tilt");
        assumeTrue(Files.isDirectory(dir), "real GE tilted series not present at " + dir.toAbsolutePath()
                + " (a fresh clone has no ../shared)");
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".dcm")).sorted().toList();
        }
    }

    /** The same series decoded by our codec. */
    public static List<DicomObject> geTiltedDatasets() throws IOException, DicomException {
        List<DicomObject> out = new ArrayList<>();
        for (Path f : geTiltedFiles()) {
            out.add(DicomReader.readPart10(Files.readAllBytes(f), DicomLimits.DEFAULT).dataset());
        }
        return out;
    }
}
