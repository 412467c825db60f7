package org.ichtriage.phantom;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;


/**
 * Writes a synthetic axial CT series (a water cylinder in air, with noise) as Part 10 files, for
 * interoperability tests and the ingest benchmark, where the content does not matter but the size
 * and the transfer syntax do. Contains no patient data.
 */
public final class SyntheticCtSeries {
    private SyntheticCtSeries() {
    }

    public static final String CT_IMAGE_STORAGE = CtSeriesWriter.CT_IMAGE_STORAGE;

    public static List<Path> write(Path dir, int slices, int size, String transferSyntaxUid, long seed) throws IOException {
        Files.createDirectories(dir);
        Random rnd = new Random(seed);
        List<CtSeriesWriter.HuSlice> hu = new ArrayList<>();
        double r = size * 0.4;
        for (int i = 0; i < slices; i++) {
            short[] px = new short[size * size];
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double d = Math.hypot(x - size / 2.0, y - size / 2.0);
                    px[y * size + x] = (short) ((d < r ? 30 : -1000) + (int) Math.round(rnd.nextGaussian() * 5));
                }
            }
            hu.add(new CtSeriesWriter.HuSlice(px));
        }
        List<byte[]> instances = CtSeriesWriter.write(CtSeriesWriter.StudyIdentity.random("SYNTHETIC"), hu, size, size,
                250.0 / size, 5.0, false, transferSyntaxUid);
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < instances.size(); i++) {
            Path f = dir.resolve(String.format("slice%04d.dcm", i));
            Files.write(f, instances.get(i));
            out.add(f);
        }
        return out;
    }
}
