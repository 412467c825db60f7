package org.ichtriage.dicom.seg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

/** A key image names its slice as a viewer does, so a radiologist can scroll to it. */
class KeyImageCaptionTest {
    private static SourceImage image(OptionalInt number, double[] position, double[] orientation) {
        return new SourceImage("1.2.840.10008.5.1.4.1.1.2", "1.2.3.4", number, position, orientation, new double[] {0.5, 0.5}, 5.0,
                512, 512);
    }

    @Test
    void axialSliceShowsInstanceNumberAndZ() {
        SourceImage axial = image(OptionalInt.of(14), new double[] {-125, -110, -23.5}, new double[] {1, 0, 0, 0, 1, 0});
        assertEquals(-23.5, axial.locationMm(), 1e-9);
        assertEquals("IMAGE 14  LOCATION -23.5 MM  LESION 5.2 CM2", KeyImageRenderer.caption(axial, 5.2));
    }

    @Test
    void tiltedSliceShowsItsLocationAlongTheNormal() {
        // the GE series' orientation: 18.5 degrees of gantry tilt; normal (0, 0.3173047, 0.9483237)
        double[] iop = {1, 0, 0, 0, 0.9483237, -0.3173047};
        SourceImage tilted = image(OptionalInt.of(3), new double[] {-125, -100, 40}, iop);
        assertEquals(-100 * 0.3173047 + 40 * 0.9483237, tilted.locationMm(), 1e-6);
        assertEquals("IMAGE 3  LOCATION 6.2 MM  LESION 0.4 CM2", KeyImageRenderer.caption(tilted, 0.4));
    }

    @Test
    void aMissingInstanceNumberIsSaidNotInvented() {
        SourceImage none = image(OptionalInt.empty(), new double[] {0, 0, 12}, new double[] {1, 0, 0, 0, 1, 0});
        assertEquals("IMAGE (NO NUMBER)  LOCATION 12.0 MM  LESION 1.0 CM2", KeyImageRenderer.caption(none, 1.0));
    }
}
