package org.ichtriage.events;

/** Names of the Kafka record headers on ich.instances.v1 (a contract with the pipeline). */
public final class InstanceHeaders {
    public static final String SOP_INSTANCE_UID = "ich.sop-instance-uid";
    public static final String SOP_CLASS_UID = "ich.sop-class-uid";
    public static final String CALLING_AET = "ich.calling-aet";
    public static final String CALLED_AET = "ich.called-aet";
    /** ISO-8601 instant at which the dataset was fully received. */
    public static final String RECEIVED_AT = "ich.received-at";
    /**
     * Images in Acquisition (0020,1002) as a decimal integer, -1 when absent: with {@link #ACQUISITION_NUMBER}
     * what the assembly needs of the dataset, read once by the ingest so that the assembly never parses it.
     */
    public static final String IMAGES_IN_ACQUISITION = "ich.images-in-acquisition";
    /** Acquisition Number (0020,0012) as a decimal integer, empty when absent. */
    public static final String ACQUISITION_NUMBER = "ich.acquisition-number";

    /**
     * The slice's position along the normal of its orientation in mm (decimal), empty when the header
     * lacks ImagePositionPatient or ImageOrientationPatient: with {@link #SLICE_SPACING_MM} what lets
     * the assembly see a contiguous stack and complete it early.
     */
    public static final String SLICE_POSITION_MM = "ich.slice-position-mm";
    /** SpacingBetweenSlices, else SliceThickness, in mm (decimal); empty when neither is usable. */
    public static final String SLICE_SPACING_MM = "ich.slice-spacing-mm";

    /** On a control record (no DICOM value) that asks the assembly to complete the series now. */
    public static final String CONTROL = "ich.control";

    private InstanceHeaders() {
    }
}
