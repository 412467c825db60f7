package org.ichtriage.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Throwaway TLS keys for tests, made by the JDK's own keytool: PKCS12 stores with an EC P-256 key,
 * valid for two days, all under one password.
 */
public final class Keystores {
    public static final String PASSWORD = "changeit";

    private Keystores() {}

    /** Runs keytool; fails the test with its output when it does not exit 0 within a minute. */
    public static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool " + cmd + ": " + out);
    }

    /**
     * A self-signed key pair in {@code dir/alias.p12}.
     *
     * @param extensions keytool -ext values, such as {@code SAN=ip:127.0.0.1} for a peer the host-name check accepts
     */
    public static Path keyPair(Path dir, String alias, String dname, String... extensions) throws Exception {
        Path ks = dir.resolve(alias + ".p12");
        List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", dname, "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD));
        for (String e : extensions) {
            args.addAll(List.of("-ext", e));
        }
        keytool(args.toArray(String[]::new));
        return ks;
    }

    /** A trust store ({@code dir/trusts-alias.p12}) holding only the certificate of {@code keystore}'s key. */
    public static Path trusting(Path dir, Path keystore, String alias) throws Exception {
        Path cert = dir.resolve(alias + ".crt");
        keytool("-exportcert", "-alias", alias, "-keystore", keystore.toString(), "-storepass", PASSWORD, "-file", cert.toString());
        Path ts = dir.resolve("trusts-" + alias + ".p12");
        keytool("-importcert", "-noprompt", "-alias", alias, "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", ts.toString(), "-storepass", PASSWORD);
        return ts;
    }

    public static KeyStore load(Path p) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return ks;
    }

    /** Presents the key of {@code keystore}. */
    public static KeyManager[] keyManagers(Path keystore) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load(keystore), PASSWORD.toCharArray());
        return kmf.getKeyManagers();
    }

    /** Trusts the certificates in {@code keystore}. */
    public static TrustManager[] trustManagers(Path keystore) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(keystore));
        return tmf.getTrustManagers();
    }
}
