package org.ichtriage.dicom.seg;

import org.ichtriage.dicom.codec.Uids;

/**
 * How a derived object gets its UIDs. Deterministic UIDs put every revision of one source series into
 * one derived series in the PACS, and give the same instance UIDs when the same result is built again.
 *
 * @param seriesInstanceUid the derived series
 * @param instanceSeed      null for random instance UIDs, else the name they are derived from
 */
public record DerivedUids(String seriesInstanceUid, String instanceSeed) {

    public static DerivedUids random() {
        return new DerivedUids(Uids.newUid(), null);
    }

    /**
     * @param seriesName   names the derived series, e.g. source series UID + kind + algorithm
     * @param instanceName names one result, e.g. its event id
     */
    public static DerivedUids named(String seriesName, String instanceName) {
        return new DerivedUids(Uids.fromName(seriesName), instanceName);
    }

    /** The UID of one instance (or other per-instance UID) of the derived series, by role. */
    public String instance(String role) {
        return instanceSeed == null ? Uids.newUid() : Uids.fromName(instanceSeed + "/" + role);
    }
}
