package org.ichtriage.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import org.ichtriage.dicom.codec.DicomException;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.seg.RgbImage;
import org.ichtriage.render.PngWriter;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import org.ichtriage.UserError;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Write the key images of a result as PNG files, for people without a DICOM viewer.",
                "RESULT is a folder written by `analyze` or `run --demo`, or key-image .dcm files."},
        footer = {"", "Example:", "  ich-triage inspect /tmp/ge --out /tmp/ge-png"})
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RESULT", description = "result folder or key-image DICOM file")
    Path result;

    @Option(names = "--out", paramLabel = "DIR", description = "where to write the PNGs (default: the result folder)")
    Path out;

    @Override
    public Integer call() throws IOException {
        List<byte[]> images = new ArrayList<>();
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(result)) {
            try (Stream<Path> s = Files.list(result)) {
                for (Path p : s.filter(f -> f.getFileName().toString().startsWith("key-image") && f.toString().endsWith(".dcm")).sorted().toList()) {
                    images.add(Files.readAllBytes(p));
                    names.add(p.toString());
                }
            }
        } else if (Files.isRegularFile(result)) {
            images.add(Files.readAllBytes(result));
            names.add(result.toString());
        } else {
            throw new UserError(result + " does not exist");
        }
        if (images.isEmpty()) {
            throw new UserError("no key images in " + result + " (a result without hemorrhage has none)");
        }
        Path target = out != null ? out : (Files.isDirectory(result) ? result : result.toAbsolutePath().getParent());
        Files.createDirectories(target);
        for (Path p : writePngs(images, names, target)) {
            System.out.println(p);
        }
        return 0;
    }

    /** What a DICOM object is, from its own attributes: the values found, never the ones expected. */
    static String whatItHolds(DicomObject ds) {
        String sopClass = ds.getString(Tag.SOPClassUID);
        String frames = ds.getString(Tag.NumberOfFrames);
        Integer planar = ds.contains(Tag.PlanarConfiguration) ? ds.getInt(Tag.PlanarConfiguration, 0) : null;
        return "a " + sopClassName(sopClass) + " object (SOP class " + sopClass + ", Modality " + ds.getString(Tag.Modality) + ", "
                + (frames == null ? "1 frame" : frames.strip() + " frames") + " of " + ds.getInt(Tag.Columns, 0) + "x" + ds.getInt(Tag.Rows, 0)
                + ", SamplesPerPixel " + ds.getInt(Tag.SamplesPerPixel, 1)
                + (planar == null ? "" : ", PlanarConfiguration " + planar) + ")";
    }

    private static String sopClassName(String uid) {
        if (uid == null) {
            return "DICOM";
        }
        return switch (uid) {
            case "1.2.840.10008.5.1.4.1.1.66.4" -> "Segmentation (SEG)";
            case "1.2.840.10008.5.1.4.1.1.2" -> "CT Image";
            case "1.2.840.10008.5.1.4.1.1.7" -> "Secondary Capture";
            default -> "DICOM";
        };
    }

    /** Decodes RGB key-image instances and writes them as key-image-N.png; returns the files written. */
    static List<Path> writePngs(List<byte[]> keyImages, Path target) throws IOException {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < keyImages.size(); i++) {
            names.add("key image " + (i + 1));
        }
        return writePngs(keyImages, names, target);
    }

    static List<Path> writePngs(List<byte[]> keyImages, List<String> names, Path target) throws IOException {
        List<Path> written = new ArrayList<>();
        for (int i = 0; i < keyImages.size(); i++) {
            RgbImage img;
            try {
                img = rgbOf(DicomReader.readPart10(keyImages.get(i), DicomLimits.DEFAULT).dataset());
            } catch (DicomException e) {
                throw new UserError(names.get(i) + " is not readable: " + e.getMessage());
            } catch (UserError e) {
                throw new UserError(names.get(i) + " " + e.getMessage());
            }
            Path png = target.resolve("key-image-" + (i + 1) + ".png");
            Files.write(png, PngWriter.write(img));
            written.add(png);
        }
        return written;
    }

    static RgbImage rgbOf(DicomObject ds) {
        if (ds.getInt(Tag.SamplesPerPixel, 1) != 3 || ds.getInt(Tag.PlanarConfiguration, 0) != 0) {
            throw new UserError("holds " + whatItHolds(ds) + "; inspect renders key images (RGB: SamplesPerPixel 3, "
                    + "PlanarConfiguration 0), the key-image-N.dcm files of a result");
        }
        try {
            return RgbImage.fromDataset(ds);
        } catch (IllegalArgumentException e) {
            throw new UserError("key image: " + e.getMessage());
        }
    }
}
