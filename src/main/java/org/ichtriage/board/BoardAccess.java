package org.ichtriage.board;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Who may see the board. The board shows patient images, so a request needs a credential whenever
 * one is configured: a shared token (as a Bearer token, or as the password of HTTP Basic with any
 * user name, so a browser's own login prompt works) or a user from a file of PBKDF2-hashed passwords.
 * Lines of the users file: {@code name:pbkdf2-sha256:ITERATIONS:SALT_BASE64:HASH_BASE64}.
 */
public final class BoardAccess {
    private static final String SCHEME = "pbkdf2-sha256";
    private static final int ITERATIONS = 210_000;

    /** A user line of the users file that cannot be read; carries the file and line number. */
    public static final class UsersFileException extends RuntimeException {
        public UsersFileException(Path file, int line, String problem) {
            super(file + " line " + line + ": " + problem);
        }
    }

    private record PasswordHash(int iterations, byte[] salt, byte[] hash) {}

    private final Optional<String> token;
    private final Map<String, PasswordHash> users;

    private BoardAccess(Optional<String> token, Map<String, PasswordHash> users) {
        this.token = token;
        this.users = users;
    }

    public static BoardAccess open() {
        return new BoardAccess(Optional.empty(), Map.of());
    }

    public static BoardAccess of(Optional<String> token, Optional<Path> usersFile) {
        return new BoardAccess(token.filter(t -> !t.isEmpty()), usersFile.map(BoardAccess::readUsers).orElse(Map.of()));
    }

    /** True when some credential is configured, so every board request must carry one. */
    public boolean required() {
        return token.isPresent() || !users.isEmpty();
    }

    /**
     * The user the Authorization header proves, "token" for the shared token, or empty when it proves nobody.
     */
    public Optional<String> authenticate(String authorizationHeader) {
        if (authorizationHeader == null) {
            return Optional.empty();
        }
        if (authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return token.filter(t -> constantTimeEquals(t, authorizationHeader.substring(7).trim())).map(t -> "token");
        }
        if (authorizationHeader.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(authorizationHeader.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException notBase64) {
                return Optional.empty();
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return Optional.empty();
            }
            String user = decoded.substring(0, colon);
            String password = decoded.substring(colon + 1);
            PasswordHash h = users.get(user);
            if (h != null && MessageDigest.isEqual(h.hash(), pbkdf2(password, h.salt(), h.iterations(), h.hash().length))) {
                return Optional.of(user);
            }
            if (token.isPresent() && constantTimeEquals(token.get(), password)) {
                return Optional.of("token");
            }
        }
        return Optional.empty();
    }

    /** A users-file line for this name and password, with a fresh salt. */
    public static String hashLine(String user, char[] password) {
        if (user.isEmpty() || user.contains(":")) {
            throw new IllegalArgumentException("a user name must be non-empty and without ':'");
        }
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        byte[] hash = pbkdf2(new String(password), salt, ITERATIONS, 32);
        Base64.Encoder b64 = Base64.getEncoder();
        return user + ":" + SCHEME + ":" + ITERATIONS + ":" + b64.encodeToString(salt) + ":" + b64.encodeToString(hash);
    }

    private static Map<String, PasswordHash> readUsers(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsersFileException(file, 0, "cannot read: " + e.getMessage());
        }
        Map<String, PasswordHash> out = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(":");
            if (f.length != 5 || !SCHEME.equals(f[1])) {
                throw new UsersFileException(file, i + 1, "expected name:" + SCHEME + ":ITERATIONS:SALT:HASH (make one with `ich-triage board-user NAME`)");
            }
            try {
                int iterations = Integer.parseInt(f[2]);
                if (iterations < 10_000) {
                    throw new UsersFileException(file, i + 1, "iterations " + iterations + " is below 10000");
                }
                out.put(f[0], new PasswordHash(iterations, Base64.getDecoder().decode(f[3]), Base64.getDecoder().decode(f[4])));
            } catch (IllegalArgumentException e) {
                throw new UsersFileException(file, i + 1, "iterations, salt or hash unreadable: " + e.getMessage());
            }
        }
        if (out.isEmpty()) {
            throw new UsersFileException(file, 0, "has no users");
        }
        return Map.copyOf(out);
    }

    private static byte[] pbkdf2(String password, byte[] salt, int iterations, int bytes) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, bytes * 8);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (NoSuchAlgorithmException | InvalidKeySpecException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java 17 runtime", e);
        }
    }

    private static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
