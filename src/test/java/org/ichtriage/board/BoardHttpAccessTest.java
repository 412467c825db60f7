package org.ichtriage.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.ichtriage.service.HealthServer;
import org.ichtriage.testing.Keystores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The board's door over real HTTP(S): who gets in, what stays open for probes, and what never leaves the jar. */
class BoardHttpAccessTest {
    private static final String TOKEN = "a-board-token-of-32-characters!!";
    @TempDir
    Path tmp;
    private final HttpClient http = HttpClient.newHttpClient();

    private HealthServer serve(BoardRoutes board) {
        HealthServer s = new HealthServer("127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Optional.empty(),
                Optional.of(board));
        s.addCheck("test", () -> null);
        return s;
    }

    private HttpResponse<String> get(HealthServer s, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void withATokenEveryBoardRequestNeedsItWhileProbesStayOpen() throws Exception {
        try (HealthServer s = serve(new BoardRoutes(BoardAccess.of(Optional.of(TOKEN), Optional.empty()), true, false))) {
            HttpResponse<String> refused = get(s, "/ui/", null);
            assertEquals(401, refused.statusCode());
            assertTrue(refused.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm="), "the browser asks for it");
            assertEquals(401, get(s, "/api/worklist", null).statusCode());
            assertEquals(401, get(s, "/api/series/1.2.3/slices/0", null).statusCode(), "images need a credential");
            assertEquals(401, get(s, "/ui/", "Bearer not-the-token").statusCode());
            assertEquals(401, get(s, "/ui/", basic("anyone", "not-the-token")).statusCode());

            HttpResponse<String> page = get(s, "/ui/", "Bearer " + TOKEN);
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<title>ich-triage board"), page.body());
            assertEquals(200, get(s, "/ui/study.html", basic("anyone", TOKEN)).statusCode());
            assertEquals(503, get(s, "/api/worklist", "Bearer " + TOKEN).statusCode(), "not connected to Kafka yet: 503, not an empty list");

            assertEquals(200, get(s, "/health/live", null).statusCode(), "probes need no credential");
            assertEquals(200, get(s, "/health/ready", null).statusCode());
            assertEquals(200, get(s, "/metrics", null).statusCode());
        }
    }

    @Test
    void usersFromAHashedPasswordFileGetIn() throws Exception {
        Path users = tmp.resolve("board-users");
        Files.writeString(users, "# board users\n" + BoardAccess.hashLine("alice", "correct horse battery".toCharArray()) + "\n");
        assertFalse(Files.readString(users).contains("correct horse"), "the file holds a hash, never the password");
        try (HealthServer s = serve(new BoardRoutes(BoardAccess.of(Optional.empty(), Optional.of(users)), true, false))) {
            assertEquals(200, get(s, "/ui/", basic("alice", "correct horse battery")).statusCode());
            assertEquals(401, get(s, "/ui/", basic("alice", "correct horse")).statusCode());
            assertEquals(401, get(s, "/ui/", basic("bob", "correct horse battery")).statusCode());
        }
    }

    @Test
    void aMalformedUsersFileNamesItsLine() throws Exception {
        Path users = tmp.resolve("board-users");
        Files.writeString(users, BoardAccess.hashLine("alice", "password1".toCharArray()) + "\nbob:plaintext\n");
        BoardAccess.UsersFileException e = assertThrows(BoardAccess.UsersFileException.class,
                () -> BoardAccess.of(Optional.empty(), Optional.of(users)));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }

    @Test
    void offLoopbackWithoutCredentialsTheBoardRefusesWithTheReasonAndProbesStillAnswer() throws Exception {
        try (HealthServer s = serve(new BoardRoutes(BoardAccess.open(), false, false))) {
            HttpResponse<String> r = get(s, "/ui/", null);
            assertEquals(403, r.statusCode());
            assertTrue(r.body().contains("http.auth.token"), r.body());
            assertEquals(403, get(s, "/api/worklist", null).statusCode());
            assertEquals(200, get(s, "/health/live", null).statusCode());
        }
    }

    @Test
    void onlyThePagesFilesAreServedFromTheJar() throws Exception {
        try (HealthServer s = serve(new BoardRoutes(BoardAccess.open(), true, false))) {
            assertEquals(200, get(s, "/ui/board.js", null).statusCode());
            assertEquals(404, get(s, "/ui/logback.xml", null).statusCode());
            assertEquals(404, get(s, "/ui/..%2Flogback.xml", null).statusCode());
            assertEquals(404, get(s, "/ui/%2E%2E%2Fschemas%2Fich-result.v1.schema.json", null).statusCode());
            HttpResponse<String> page = get(s, "/ui/", null);
            assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"),
                    "nothing from elsewhere may run on the page");
        }
    }

    @Test
    void withAKeystoreThePortSpeaksHttpsOnly() throws Exception {
        Path keystore = Keystores.keyPair(tmp, "board", "CN=127.0.0.1", "SAN=ip:127.0.0.1");
        try (HealthServer s = new HealthServer("127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                Optional.of(new HealthServer.Tls(keystore, Keystores.PASSWORD)), Optional.of(new BoardRoutes(BoardAccess.open(), true, false)))) {
            SSLContext trustAll = SSLContext.getInstance("TLS");
            trustAll.init(null, new TrustManager[] {new X509TrustManager() {
                public void checkClientTrusted(X509Certificate[] c, String a) {}
                public void checkServerTrusted(X509Certificate[] c, String a) {}
                public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
            }}, null);
            HttpClient https = HttpClient.newBuilder().sslContext(trustAll).build();
            HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + s.port() + "/ui/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("TLSv1.3", r.sslSession().orElseThrow().getProtocol());
            boolean plainAnswered;
            try {
                plainAnswered = get(s, "/health/live", null).statusCode() == 200;
            } catch (java.io.IOException refused) {
                plainAnswered = false;
            }
            assertFalse(plainAnswered, "no plain HTTP on the HTTPS port");
        }
    }
}
