package org.ichtriage.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import java.nio.file.Files;
import java.nio.file.Path;

import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.EncapsulatedPixelData;
import org.ichtriage.dicom.codec.PixelDataException;
import org.ichtriage.phantom.SyntheticCtSeries;
import org.ichtriage.dicom.codec.TransferSyntax;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.codec.VR;
import org.ichtriage.volume.CtSlice;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CtSliceDecoderTest {
    private static DicomObject slice(int bitsStored, int pixelRepresentation, Integer padding, short... raw) {
        DicomObject ds = new DicomObject();
        ds.putString(Tag.SOPInstanceUID, VR.UI, "1.2.3");
        ds.putString(Tag.SeriesInstanceUID, VR.UI, "1.2");
        ds.putString(Tag.Modality, VR.CS, "CT");
        ds.putInts(Tag.Rows, VR.US, 1);
        ds.putInts(Tag.Columns, VR.US, raw.length);
        ds.putInts(Tag.BitsAllocated, VR.US, 16);
        ds.putInts(Tag.BitsStored, VR.US, bitsStored);
        ds.putInts(Tag.HighBit, VR.US, bitsStored - 1);
        ds.putInts(Tag.PixelRepresentation, VR.US, pixelRepresentation);
        ds.putString(Tag.RescaleIntercept, VR.DS, "-1024");
        ds.putString(Tag.RescaleSlope, VR.DS, "1");
        if (padding != null) {
            ds.putInts(Tag.PixelPaddingValue, pixelRepresentation == 1 ? VR.SS : VR.US, padding);
        }
        ByteBuffer b = ByteBuffer.allocate(raw.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : raw) {
            b.putShort(s);
        }
        ds.putBytes(Tag.PixelData, VR.OW, b.array());
        return ds;
    }

    @Test
    void bitsAboveBitsStoredAreIgnoredAndSignedValuesAreSignExtended() throws Exception {
        // 12 bits stored, signed: 0x0FFF is -1; an overlay bit at 0x8000 must not change the value
        CtSlice s = CtSliceDecoder.decode(slice(12, 1, null, (short) 0x0FFF, (short) (0x8000 | 0x0400), (short) 0x07FF), 0);
        assertEquals(-1, s.storedValue(0));
        assertEquals(0x0400, s.storedValue(1));
        assertEquals(2047, s.storedValue(2));
    }

    @Test
    void unsignedTwelveBitDataMasksHighBits() throws Exception {
        CtSlice s = CtSliceDecoder.decode(slice(12, 0, null, (short) 0xF123, (short) 0x0400), 0);
        assertEquals(0x0123, s.storedValue(0));
        assertEquals(0x0400, s.storedValue(1));
    }

    @Test
    void paddingBecomesAirNotTissue() throws Exception {
        // padding -2000 stored, rescale -1024: without care it would read as -3024 HU; it must read as air (-1000 HU)
        CtSlice s = CtSliceDecoder.decode(slice(16, 1, -2000, (short) -2000, (short) 1064), 0);
        assertEquals(-1000.0, s.hu(0), 1e-9);
        assertEquals(40.0, s.hu(1), 1e-9);
    }

    @Test
    void eightBitPixelsAreReportedMissingForTheAssemblerToRefuse() throws Exception {
        DicomObject ds = slice(16, 1, null, (short) 0);
        ds.putInts(Tag.BitsAllocated, VR.US, 8);
        assertNull(CtSliceDecoder.decode(ds, 0).storedPixels());
    }

    private static org.ichtriage.volume.RefusalReason issueOf(DicomObject ds) throws Exception {
        CtSlice s = CtSliceDecoder.decode(ds, 0);
        assertNull(s.storedPixels());
        return s.pixelDataIssue().reason();
    }

    @Test
    void everyUnusablePixelEncodingHasItsOwnReasonNotMissingPixelData() throws Exception {
        for (int bits : new int[] {8, 12, 32}) {
            DicomObject ds = slice(16, 1, null, (short) 1, (short) 2);
            ds.putInts(Tag.BitsAllocated, VR.US, bits);
            assertEquals(org.ichtriage.volume.RefusalReason.UNSUPPORTED_BITS_ALLOCATED, issueOf(ds), "BitsAllocated " + bits);
            assertEquals("has BitsAllocated (0028,0100) " + bits + "; only 16 is supported",
                    CtSliceDecoder.decode(ds, 0).pixelDataIssue().detail());
        }
        DicomObject rgb = slice(16, 1, null, (short) 1, (short) 2);
        rgb.putInts(Tag.SamplesPerPixel, VR.US, 3);
        assertEquals(org.ichtriage.volume.RefusalReason.UNSUPPORTED_SAMPLES_PER_PIXEL, issueOf(rgb));
        DicomObject truncated = slice(16, 1, null, (short) 1, (short) 2);
        truncated.putBytes(Tag.PixelData, VR.OW, new byte[] {1, 0});
        assertEquals(org.ichtriage.volume.RefusalReason.TRUNCATED_PIXEL_DATA, issueOf(truncated));
        assertEquals("has PixelData (7FE0,0010) of 2 bytes, 1x2 16-bit pixels need 4", CtSliceDecoder.decode(truncated, 0).pixelDataIssue().detail());
        DicomObject none = slice(16, 1, null, (short) 1, (short) 2);
        none.remove(Tag.PixelData);
        assertEquals(org.ichtriage.volume.RefusalReason.MISSING_PIXEL_DATA, issueOf(none));
        CtSlice fine = CtSliceDecoder.decode(slice(16, 1, null, (short) 1, (short) 2), 0);
        assertNull(fine.pixelDataIssue());
        assertEquals(2, fine.storedValue(1));
    }

    @Test
    void thicknessAndFrameOfReferenceAreRead() throws Exception {
        DicomObject ds = slice(16, 1, null, (short) 1);
        assertNull(CtSliceDecoder.decode(ds, 0).sliceThicknessMm());
        ds.putString(Tag.SliceThickness, VR.DS, "5.0");
        ds.putString(Tag.FrameOfReferenceUID, VR.UI, "1.2.840.9");
        CtSlice s = CtSliceDecoder.decode(ds, 0);
        assertEquals(5.0, s.sliceThicknessMm());
        assertEquals("1.2.840.9", s.frameOfReferenceUid());
    }

    @TempDir
    Path tmp;

    @Test
    void rleSliceGivesTheSamePixelsAsItsSourceAndACorruptOneATypedErrorWithItsOffset() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/dcmcrle")), "dcmtk's dcmcrle is not installed");
        Path src = SyntheticCtSeries.write(tmp.resolve("src"), 1, 64, TransferSyntax.EXPLICIT_VR_LE, 9).get(0);
        Path rle = tmp.resolve("rle.dcm");
        Process p = new ProcessBuilder("dcmcrle", src.toString(), rle.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        CtSlice plain = CtSliceDecoder.decode(DicomReader.readPart10(Files.readAllBytes(src), DicomLimits.DEFAULT).dataset(), 0);
        byte[] file = Files.readAllBytes(rle);
        DicomObject ds = DicomReader.readPart10(file, DicomLimits.DEFAULT).dataset();
        CtSlice decoded = CtSliceDecoder.decode(ds, file.length);
        assertArrayEquals(plain.storedPixels(), decoded.storedPixels());
        assertEquals(plain.hu(100), decoded.hu(100), 0.0);

        // seven segments declared for 16-bit single-sample pixels: the error names where the RLE header lies
        EncapsulatedPixelData epd = ds.encapsulatedPixelData();
        int header = (int) epd.valueOffset() + epd.fragments().get(0).valueStart();
        file[header] = 7;
        DicomObject corrupt = DicomReader.readPart10(file, DicomLimits.DEFAULT).dataset();
        PixelDataException e = assertThrows(PixelDataException.class, () -> CtSliceDecoder.decode(corrupt, 0));
        assertEquals(header, e.offset());
        assertEquals(Tag.PixelData, e.tag());
    }

    @Test
    void theSliceAndItsSourceImageReferenceComeFromOneRead() throws Exception {
        DicomObject ds = slice(16, 1, null, (short) 10, (short) 20);
        ds.putString(Tag.SOPClassUID, VR.UI, "1.2.840.10008.5.1.4.1.1.2");
        ds.putString(Tag.InstanceNumber, VR.IS, "7");
        ds.putDoubles(Tag.ImagePositionPatient, VR.DS, -10, -20, 33.5);
        ds.putDoubles(Tag.ImageOrientationPatient, VR.DS, 1, 0, 0, 0, 1, 0);
        ds.putDoubles(Tag.PixelSpacing, VR.DS, 0.5, 0.6);
        ds.putDoubles(Tag.SliceThickness, VR.DS, 5);
        CtSliceDecoder.DecodedImage decoded = CtSliceDecoder.decodeWithSource(ds, 0);
        var source = decoded.source().orElseThrow();
        assertEquals("1.2.840.10008.5.1.4.1.1.2", source.sopClassUid());
        assertEquals(decoded.slice().sopInstanceUid(), source.sopInstanceUid());
        assertEquals(7, source.instanceNumber().getAsInt());
        assertArrayEquals(decoded.slice().imagePositionPatient(), source.imagePositionPatient());
        assertArrayEquals(decoded.slice().pixelSpacing(), source.pixelSpacing());
        assertEquals(5.0, source.sliceThickness());
        assertEquals(java.util.Optional.empty(), decoded.sourceProblem());

        // without a position the slice still decodes (the assembler refuses it for its geometry), and the reason names the tag
        ds.remove(Tag.ImagePositionPatient);
        CtSliceDecoder.DecodedImage unplaced = CtSliceDecoder.decodeWithSource(ds, 0);
        assertEquals(java.util.Optional.empty(), unplaced.source());
        assertEquals(20, unplaced.slice().storedValue(1));
        org.junit.jupiter.api.Assertions.assertTrue(unplaced.sourceProblem().orElseThrow().contains("(0020,0032)"),
                unplaced.sourceProblem().orElseThrow());
    }
}
