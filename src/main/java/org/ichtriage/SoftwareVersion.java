package org.ichtriage;

/** The version of this build, from the jar manifest ("dev" when run from classes). */
public final class SoftwareVersion {
    private SoftwareVersion() {}

    public static String get() {
        String v = SoftwareVersion.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
