package org.ichtriage.dicom.seg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.ichtriage.dicom.codec.DicomException;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.Part10File;
import org.ichtriage.dicom.codec.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentationBuilderTest {
    @TempDir
    Path tmp;

    static SegmentationDescription describe(SourceSeries src, List<boolean[]> masks) {
        return new SegmentationDescription(src, SegmentDescription.hemorrhage("SLEX-Net", "0.3.1"), masks,
                "ICH segmentation (ich-triage, not for clinical use)", 901, "ich-triage", "ich-triage worker",
                "0.1.0", "ich-triage-test", Instant.parse("2026-11-27T08:00:00Z"), DerivedUids.random());
    }

    @Test
    void phantomSegPassesDciodvfyAndRoundTrips() throws Exception {
        Phantom ph = new Phantom();
        SourceSeries src = SourceSeries.fromDatasets(ph.datasets);
        BuiltObject seg = SegmentationBuilder.build(describe(src, ph.masks));
        assertEquals(Phantom.LESION_SLICES, seg.frames());
        DicomObject read = checkSeg(seg, src, ph.masks, "phantom-seg.dcm");
        DicomObject pm = read.getSequence(Tag.SharedFunctionalGroupsSequence).get(0)
                .getSequence(Tag.PixelMeasuresSequence).get(0);
        assertEquals(5.0, pm.getDoubles(Tag.SpacingBetweenSlices)[0], 1e-9);
        assertEquals(5.0, pm.getDoubles(Tag.SliceThickness)[0], 1e-9);
        DicomObject segment = read.getSequence(Tag.SegmentSequence).get(0);
        assertEquals("50960005", segment.getSequence(Tag.SegmentedPropertyTypeCodeSequence).get(0)
                .getString(Tag.CodeValue));
        assertEquals("AUTOMATIC", segment.getString(Tag.SegmentAlgorithmType));
        assertEquals("SLEX-Net", segment.getString(Tag.SegmentAlgorithmName));
        DicomObject algorithm = segment.getSequence(0x00620007).get(0);
        assertEquals("0.3.1", algorithm.getString(Tag.AlgorithmVersion));
        assertEquals("12738006", segment.getSequence(Tag.AnatomicRegionSequence).get(0).getString(Tag.CodeValue));
    }

    @Test
    void realTiltedGeSeriesWithSyntheticMask() throws Exception {
        List<DicomObject> datasets = org.ichtriage.testing.SharedData.geTiltedDatasets();
        assertEquals(28, datasets.size());
        SourceSeries src = SourceSeries.fromDatasets(datasets);
        // A disc of radius 40 px on slices 10..14 only, centred left of the midline.
        List<boolean[]> masks = new ArrayList<>();
        for (int z = 0; z < datasets.size(); z++) {
            boolean[] m = new boolean[512 * 512];
            if (z >= 10 && z <= 14) {
                for (int y = 0; y < 512; y++) {
                    for (int x = 0; x < 512; x++) {
                        m[y * 512 + x] = (x - 300) * (x - 300) + (y - 220) * (y - 220) < 40 * 40;
                    }
                }
            }
            masks.add(m);
        }
        BuiltObject seg = SegmentationBuilder.build(describe(src, masks));
        assertEquals(5, seg.frames());
        DicomObject read = checkSeg(seg, src, masks, "ge-tilt-seg.dcm");
        // The tilt travels as the source's own oblique orientation, not an axial one.
        double[] iop = read.getSequence(Tag.SharedFunctionalGroupsSequence).get(0)
                .getSequence(Tag.PlaneOrientationSequence).get(0).getDoubles(Tag.ImageOrientationPatient);
        assertArrayEquals(src.images().get(0).imageOrientationPatient(), iop, 1e-7);
        // This series mixes 4 mm and 7 mm slices with uneven steps: each frame carries its own slice's thickness
        // and no frame claims one spacing between slices.
        assertTrue(!read.getSequence(Tag.SharedFunctionalGroupsSequence).get(0).contains(Tag.PixelMeasuresSequence));
        List<DicomObject> perFrame = read.getSequence(Tag.PerFrameFunctionalGroupsSequence);
        for (int f = 0; f < 5; f++) {
            DicomObject pm = perFrame.get(f).getSequence(Tag.PixelMeasuresSequence).get(0);
            assertEquals(src.images().get(10 + f).sliceThickness(), pm.getDoubles(Tag.SliceThickness)[0], 1e-9);
            assertTrue(!pm.contains(Tag.SpacingBetweenSlices));
        }
    }

    @Test
    void emptyMaskWritesNoSeg() {
        Phantom ph = new Phantom();
        SourceSeries src = SourceSeries.fromDatasets(ph.datasets);
        List<boolean[]> empty = ph.masks.stream().map(m -> new boolean[m.length]).toList();
        EmptySegmentationException e = assertThrows(EmptySegmentationException.class,
                () -> SegmentationBuilder.build(describe(src, empty)));
        assertEquals(src.seriesInstanceUid(), e.sourceSeriesInstanceUid());
    }

    @Test
    void maskOfWrongSizeIsRefusedWithItsIndex() {
        Phantom ph = new Phantom();
        SourceSeries src = SourceSeries.fromDatasets(ph.datasets);
        List<boolean[]> masks = new ArrayList<>(ph.masks);
        masks.set(3, new boolean[10]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> describe(src, masks));
        assertTrue(e.getMessage().contains("mask 3"), e.getMessage());
    }

    @Test
    void bitPackingIsLsbFirstAndContiguousAcrossFrames() {
        boolean[] a = {true, false, false, false, false, false, false, false, false, true}; // 10 bits
        boolean[] b = {true, true, false};
        byte[] p = BitPacking.pack(List.of(a, b));
        // bits: 0 -> byte0 bit0; 9 -> byte1 bit1; frame b starts at bit 10 -> byte1 bits 2,3.
        assertArrayEquals(new byte[] {0x01, 0x0E}, p);
        List<boolean[]> back = BitPacking.unpack(p, 1, 10);
        assertArrayEquals(a, back.get(0));
        assertThrows(IllegalArgumentException.class, () -> BitPacking.unpack(p, 2, 10));
    }

    /** dciodvfy, dcmdump and our reader on one SEG; returns the dataset read back. */
    private DicomObject checkSeg(BuiltObject seg, SourceSeries src, List<boolean[]> masks, String name)
            throws IOException, InterruptedException, DicomException {
        Path file = Judges.write(tmp, name, seg.part10());
        if (!Files.isExecutable(Judges.DCIODVFY)) {
            System.err.println("dciodvfy not installed (Debian dicom3tools): IOD check of " + name + " not run");
        } else {
            String out = Judges.run(Judges.DCIODVFY, file.toString());
            System.out.println("dciodvfy " + name + ":\n" + out);
            assertTrue(Judges.lines(out, "Error").isEmpty(), "dciodvfy reported errors:\n" + out);
        }
        if (Files.isExecutable(Judges.DCMDUMP)) {
            String dump = Judges.run(Judges.DCMDUMP, file.toString());
            assertTrue(dump.contains("(0008,0016) UI =SegmentationStorage"), dump);
            assertTrue(dump.contains("(0028,0008) IS [" + seg.frames() + "]"), dump);
            assertTrue(dump.contains("(0062,0001) CS [BINARY]"), dump);
        }
        if (Files.isExecutable(Judges.PYTHON)) {
            // pydicom unpacks 1-bit frames on its own, so a bit-order mistake shared by our pack and unpack shows here.
            String counts = Judges.run(Judges.PYTHON, "-c", "import sys,pydicom;d=pydicom.dcmread(sys.argv[1]);"
                    + "a=d.pixel_array.reshape(int(d.NumberOfFrames),d.Rows,d.Columns);"
                    + "print(' '.join(str(int(f.sum())) for f in a))", file.toString()).strip();
            String expected = String.join(" ", masks.stream().filter(m -> MaskChecks.count(m) > 0)
                    .map(m -> Integer.toString(MaskChecks.count(m))).toList());
            assertEquals(expected, counts, "lesion voxels per frame as pydicom reads them");
        }
        Part10File p = DicomReader.readPart10(seg.part10(), DicomLimits.DEFAULT);
        DicomObject ds = p.dataset();
        assertEquals(SegmentationBuilder.SEGMENTATION_STORAGE, ds.getString(Tag.SOPClassUID));
        assertEquals(seg.sopInstanceUid(), ds.getString(Tag.SOPInstanceUID));
        assertEquals(seg.seriesInstanceUid(), ds.getString(Tag.SeriesInstanceUID));
        assertEquals(src.patientStudyAttributes().getString(Tag.StudyInstanceUID), ds.getString(Tag.StudyInstanceUID));
        assertEquals(src.patientStudyAttributes().getPersonName(Tag.PatientName), ds.getPersonName(Tag.PatientName));
        int rows = ds.getInt(Tag.Rows, -1);
        int cols = ds.getInt(Tag.Columns, -1);
        int frames = ds.getInt(Tag.NumberOfFrames, -1);
        List<Integer> lesionSlices = new ArrayList<>();
        for (int i = 0; i < masks.size(); i++) {
            if (MaskChecks.count(masks.get(i)) > 0) {
                lesionSlices.add(i);
            }
        }
        assertEquals(lesionSlices.size(), frames);
        List<boolean[]> unpacked = BitPacking.unpack(ds.getBytes(Tag.PixelData), frames, rows * cols);
        List<DicomObject> perFrame = ds.getSequence(Tag.PerFrameFunctionalGroupsSequence);
        assertEquals(frames, perFrame.size());
        for (int f = 0; f < frames; f++) {
            int slice = lesionSlices.get(f);
            assertArrayEquals(masks.get(slice), unpacked.get(f), "frame " + (f + 1) + " vs slice " + slice);
            DicomObject sourceRef = perFrame.get(f).getSequence(Tag.DerivationImageSequence).get(0)
                    .getSequence(Tag.SourceImageSequence).get(0);
            assertEquals(src.images().get(slice).sopInstanceUid(), sourceRef.getString(Tag.ReferencedSOPInstanceUID));
            double[] ipp = perFrame.get(f).getSequence(Tag.PlanePositionSequence).get(0)
                    .getDoubles(Tag.ImagePositionPatient);
            assertArrayEquals(src.images().get(slice).imagePositionPatient(), ipp, 1e-6);
        }
        List<DicomObject> refs = ds.getSequence(Tag.ReferencedSeriesSequence).get(0)
                .getSequence(Tag.ReferencedInstanceSequence);
        assertEquals(src.images().stream().map(SourceImage::sopInstanceUid).toList(),
                refs.stream().map(r -> r.getString(Tag.ReferencedSOPInstanceUID)).toList());
        assertEquals(src.seriesInstanceUid(), ds.getSequence(Tag.ReferencedSeriesSequence).get(0)
                .getString(Tag.SeriesInstanceUID));
        for (int f = 0; f < frames; f++) {
            long[] dim = perFrame.get(f).getSequence(Tag.FrameContentSequence).get(0).getLongs(Tag.DimensionIndexValues);
            assertArrayEquals(new long[] {1, f + 1}, dim);
        }
        return ds;
    }

    @Test
    void namedUidsGiveOneSegSeriesPerSourceSeriesAndRepeatableInstances() throws Exception {
        Phantom ph = new Phantom();
        SourceSeries src = SourceSeries.fromDatasets(ph.datasets);
        java.util.function.Function<String, SegmentationDescription> forEvent = event -> new SegmentationDescription(src,
                SegmentDescription.hemorrhage("SLEX-Net", "0.3.1"), ph.masks, "ICH segmentation", 901, "ich-triage", "w", "0.1.0",
                "t", Instant.parse("2026-11-27T08:00:00Z"), DerivedUids.named(src.seriesInstanceUid() + "/seg", event));
        BuiltObject rev1 = SegmentationBuilder.build(forEvent.apply("event-1"));
        BuiltObject rev1Again = SegmentationBuilder.build(forEvent.apply("event-1"));
        BuiltObject rev2 = SegmentationBuilder.build(forEvent.apply("event-2"));
        assertEquals(rev1.seriesInstanceUid(), rev2.seriesInstanceUid(), "revisions share the SEG series");
        assertEquals(rev1.sopInstanceUid(), rev1Again.sopInstanceUid(), "the same result gives the same instance");
        org.junit.jupiter.api.Assertions.assertNotEquals(rev1.sopInstanceUid(), rev2.sopInstanceUid());
        org.junit.jupiter.api.Assertions.assertTrue(org.ichtriage.dicom.codec.Uids.isValid(rev1.sopInstanceUid()));
    }
}
