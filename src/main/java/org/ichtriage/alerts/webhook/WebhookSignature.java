package org.ichtriage.alerts.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The webhook signature, docs/integrations.md: header {@value #HEADER} with the value
 * {@code t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>}, the secret's UTF-8 bytes as
 * the key and the exact request body bytes. The timestamp is signed with the body, so a receiver that
 * rejects old timestamps rejects replays; a changed body or timestamp fails the comparison.
 */
public final class WebhookSignature {
    public static final String HEADER = "X-ICH-Signature";
    /** How old (or how far in the future) a timestamp may be for {@link #verify}, unless told otherwise. */
    public static final long DEFAULT_TOLERANCE_SECONDS = 300;

    private WebhookSignature() {}

    /** The header value for a body sent at {@code unixSeconds}. */
    public static String sign(byte[] secret, long unixSeconds, byte[] body) {
        return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(hmac(secret, unixSeconds, body));
    }

    /** Why a request fails verification, or null when it passes. */
    public static String verify(byte[] secret, String header, byte[] body, long nowUnixSeconds, long toleranceSeconds) {
        if (header == null || header.isBlank()) {
            return "no " + HEADER + " header";
        }
        Long t = null;
        byte[] given = null;
        for (String part : header.split(",")) {
            String p = part.trim();
            if (p.startsWith("t=")) {
                try {
                    t = Long.parseLong(p.substring(2));
                } catch (NumberFormatException e) {
                    return "timestamp is not a number";
                }
            } else if (p.startsWith("v1=")) {
                try {
                    given = HexFormat.of().parseHex(p.substring(3));
                } catch (IllegalArgumentException e) {
                    return "v1 is not hex";
                }
            }
        }
        if (t == null || given == null) {
            return "header lacks t= or v1=";
        }
        if (Math.abs(nowUnixSeconds - t) > toleranceSeconds) {
            return "timestamp " + t + " is more than " + toleranceSeconds + " s from now (" + nowUnixSeconds + "): a replay?";
        }
        if (!MessageDigest.isEqual(hmac(secret, t, body), given)) {
            return "signature does not match the body and timestamp";
        }
        return null;
    }

    private static byte[] hmac(byte[] secret, long unixSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable: " + e, e);
        }
    }
}
