package org.ichtriage.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PatientKeyTest {
    private static final String SECRET = "0123456789abcdef-test-secret";

    @TempDir
    Path tmp;

    private static String key(PatientKey k, String issuer, String id) {
        return k.keyOf(issuer, id).orElseThrow();
    }

    @Test
    void sameInputsGiveTheSameKeyAndItIsAnHmacNotTheId() throws Exception {
        PatientKey k = PatientKey.fromSecret(SECRET);
        String a = key(k, "HOSP_A", "12345678");
        assertEquals(a, key(PatientKey.fromSecret(SECRET), "HOSP_A", "12345678"));
        assertTrue(a.matches("[0-9a-f]{64}"), a);
        assertFalse(a.contains("12345678"));
        // Independent computation with the JDK's Mac over issuer, US separator and id.
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = HexFormat.of().formatHex(mac.doFinal("HOSP_A\u001f12345678".getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, a);
    }

    @Test
    void issuerMattersAndTheSeparatorKeepsFieldsApart() {
        PatientKey k = PatientKey.fromSecret(SECRET);
        assertNotEquals(key(k, "HOSP_A", "123"), key(k, "HOSP_B", "123"));
        assertNotEquals(key(k, "", "123"), key(k, "HOSP_A", "123"));
        assertNotEquals(key(k, "AB", "C"), key(k, "A", "BC"));
        assertNotEquals(key(k, "HOSP_A", "123"), key(k, "HOSP_A", "124"));
    }

    @Test
    void dicomPaddingIsInsignificantAndMissingIdGivesNoKey() {
        PatientKey k = PatientKey.fromSecret(SECRET);
        assertEquals(key(k, "HOSP_A", "123"), key(k, "HOSP_A ", "123 "));
        assertEquals(key(k, null, "123"), key(k, "", "123"));
        assertEquals(Optional.empty(), k.keyOf("HOSP_A", ""));
        assertEquals(Optional.empty(), k.keyOf("HOSP_A", "  "));
        assertEquals(Optional.empty(), k.keyOf("HOSP_A", null));
    }

    @Test
    void secretMatters() {
        assertNotEquals(key(PatientKey.fromSecret(SECRET), "H", "123"),
                key(PatientKey.fromSecret(SECRET + "x"), "H", "123"));
        assertThrows(IllegalArgumentException.class, () -> PatientKey.fromSecret(""));
        assertFalse(PatientKey.fromSecret(SECRET).toString().contains(SECRET));
    }

    @Test
    void configuredSecretWinsAndWritesNoFile() {
        PatientKey k = PatientKey.forInstallation(SECRET, tmp);
        assertEquals(key(PatientKey.fromSecret(SECRET), "H", "1"), key(k, "H", "1"));
        assertFalse(Files.exists(tmp.resolve(PatientKey.KEY_FILE)));
    }

    @Test
    void installationKeyFileIsCreatedOnceOwnerOnlyAndReused() throws IOException {
        Path state = tmp.resolve("state");
        PatientKey first = PatientKey.forInstallation("", state);
        Path file = state.resolve(PatientKey.KEY_FILE);
        assertTrue(Files.isRegularFile(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String content = Files.readString(file);
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));

        PatientKey second = PatientKey.forInstallation(null, state);
        assertEquals(content, Files.readString(file));
        assertEquals(FileTime.from(Instant.parse("2020-01-01T00:00:00Z")), Files.getLastModifiedTime(file));
        assertEquals(key(first, "H", "42"), key(second, "H", "42"));
        try (var files = Files.list(state)) {
            assertEquals(1, files.count(), "no temporary files left behind");
        }

        PatientKey otherInstallation = PatientKey.forInstallation("", tmp.resolve("other"));
        assertNotEquals(key(first, "H", "42"), key(otherInstallation, "H", "42"));
        assertNotEquals(key(first, "H", "42"), key(PatientKey.fromSecret(SECRET), "H", "42"));
    }

    @Test
    void damagedKeyFileIsATypedErrorNamingTheFileNotTheKey() throws IOException {
        Path file = tmp.resolve(PatientKey.KEY_FILE);
        Files.writeString(file, "not-hex-and-too-short\n");
        PatientKeyException e = assertThrows(PatientKeyException.class, () -> PatientKey.forInstallation("", tmp));
        assertEquals(file, e.file());
        assertTrue(e.getMessage().contains("64 hex digits"), e.getMessage());
        assertEquals("not-hex-and-too-short\n", Files.readString(file), "a damaged key is never overwritten");
    }
}
