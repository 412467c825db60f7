package org.ichtriage.analysis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pseudonymous key of a patient: HMAC-SHA256 over IssuerOfPatientID, a separator and
 * PatientID, as lower-case hex. A plain hash would not do: PatientIDs are short and guessable, so
 * anyone could hash candidates; without the secret the key reveals nothing. The inputs are never
 * logged or kept.
 */
public final class PatientKey {
    private static final Logger log = LoggerFactory.getLogger(PatientKey.class);

    public static final String KEY_FILE = "patient-key";
    private static final String ALGORITHM = "HmacSHA256";
    private static final int GENERATED_KEY_BYTES = 32;
    /** Unit separator: no DICOM string VR allows control characters, so issuer "AB"+"C" cannot meet "A"+"BC". */
    private static final char SEPARATOR = '\u001f';
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final SecretKeySpec key;

    private PatientKey(byte[] keyBytes) {
        this.key = new SecretKeySpec(keyBytes, ALGORITHM);
    }

    /** A key from a configured secret (results.patient-key-secret), the same on every worker that is given it. */
    public static PatientKey fromSecret(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("patient key secret is empty");
        }
        return new PatientKey(secret.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The configured secret when there is one, else the per-installation key in
     * {@code stateDir/patient-key}, created once with owner-only permissions and reused after.
     */
    public static PatientKey forInstallation(String configuredSecret, Path stateDir) {
        if (configuredSecret != null && !configuredSecret.isEmpty()) {
            return fromSecret(configuredSecret);
        }
        Path file = stateDir.resolve(KEY_FILE);
        if (!Files.exists(file)) {
            create(file);
        }
        return new PatientKey(read(file));
    }

    /**
     * The patient's key, or empty when there is no PatientID to key (an anonymised study cannot
     * be followed up). Leading and trailing spaces are insignificant in DICOM LO values, so they
     * are trimmed: a padded and an unpadded copy of one ID give one key.
     */
    public Optional<String> keyOf(String issuerOfPatientId, String patientId) {
        String id = patientId == null ? "" : patientId.strip();
        if (id.isEmpty()) {
            return Optional.empty();
        }
        String issuer = issuerOfPatientId == null ? "" : issuerOfPatientId.strip();
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            byte[] h = mac.doFinal((issuer + SEPARATOR + id).getBytes(StandardCharsets.UTF_8));
            return Optional.of(HexFormat.of().formatHex(h));
        } catch (GeneralSecurityException e) {
            // HmacSHA256 is mandatory in every Java platform; reaching this is a broken JRE.
            throw new IllegalStateException(ALGORITHM + " is not available", e);
        }
    }

    /** Never the key material. */
    @Override
    public String toString() {
        return "PatientKey[****]";
    }

    private static void create(Path file) {
        byte[] bytes = new byte[GENERATED_KEY_BYTES];
        new SecureRandom().nextBytes(bytes);
        Path tmp = null;
        try {
            Files.createDirectories(file.getParent());
            boolean posix = Files.getFileStore(file.getParent()).supportsFileAttributeView("posix");
            FileAttribute<?>[] attrs = posix
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                    : new FileAttribute<?>[0];
            tmp = Files.createTempFile(file.getParent(), KEY_FILE, ".tmp", attrs);
            Files.writeString(tmp, HexFormat.of().formatHex(bytes) + "\n", StandardCharsets.US_ASCII);
            // A hard link fails if the file exists: two processes starting together both end up with
            // the first one's key, where a rename would let the second silently replace it.
            Files.createLink(file, tmp);
            log.info("created the per-installation patient key {}; back it up with the state folder, "
                    + "or set results.patient-key-secret", file);
        } catch (FileAlreadyExistsException e) {
            // another process won the race; its key is read below
        } catch (IOException | UnsupportedOperationException e) {
            throw new PatientKeyException(file, "cannot create the patient key file: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    log.warn("cannot remove temporary file {}: {}", tmp, e.toString());
                }
            }
        }
    }

    private static byte[] read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
                if (!OWNER_ONLY.containsAll(perms)) {
                    log.warn("patient key file {} is readable by others ({}); restrict it to the owner (chmod 600)",
                            file, PosixFilePermissions.toString(perms));
                }
            }
        } catch (IOException e) {
            throw new PatientKeyException(file, "cannot read the patient key file: " + e.getMessage(), e);
        }
        if (text.length() != 2 * GENERATED_KEY_BYTES || !text.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new PatientKeyException(file, "is not " + 2 * GENERATED_KEY_BYTES + " hex digits; restore it from backup "
                    + "(replacing it breaks every patient history)", null);
        }
        return HexFormat.of().parseHex(text);
    }
}
