package org.ichtriage.service;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.ichtriage.board.BoardRoutes;

/**
 * The process's one HTTP port (Javalin on Jetty): /health/live, /health/ready and /metrics (Prometheus
 * text) for probes, and the triage board under /ui and /api when given. Readiness is the AND of named
 * checks that the running components register; the body says which one is not ready, and carries static
 * facts such as the inference provider and model sha256. With a keystore the port speaks HTTPS only.
 */
public final class HealthServer implements AutoCloseable {
    /** A readiness check: null when ready, else a short reason. */
    @FunctionalInterface
    public interface Check {
        String notReadyReason();
    }

    /** HTTPS from a PKCS12 keystore; TLS 1.2 and 1.3 only, as the DICOM listener. */
    public record Tls(Path keystore, String password) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Javalin app;
    private final Map<String, Check> checks = new ConcurrentHashMap<>();
    private final Map<String, Supplier<Object>> info = new ConcurrentHashMap<>();
    private final PrometheusMeterRegistry registry;
    private final Optional<BoardRoutes> board;

    public HealthServer(String host, int port, PrometheusMeterRegistry registry) {
        this(host, port, registry, Optional.empty(), Optional.empty());
    }

    public HealthServer(String host, int port, PrometheusMeterRegistry registry, Optional<Tls> tls, Optional<BoardRoutes> board) {
        this.registry = registry;
        this.board = board;
        app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            cfg.jetty.defaultHost = host;
            cfg.jetty.defaultPort = port;
            tls.ifPresent(t -> cfg.jetty.addConnector((server, httpConfig) -> httpsConnector(server, httpConfig, host, port, t)));
        });
        app.get("/health/live", ctx -> ctx.contentType("application/json").result("{\"status\":\"UP\"}"));
        app.get("/health/ready", this::ready);
        app.get("/health", this::ready);
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
        board.ifPresent(b -> b.register(app));
        app.start();
    }

    private static ServerConnector httpsConnector(org.eclipse.jetty.server.Server server, HttpConfiguration httpConfig,
                                                  String host, int port, Tls tls) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStorePath(tls.keystore().toString());
        ssl.setKeyStorePassword(tls.password());
        ssl.setKeyStoreType("PKCS12");
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        HttpConfiguration https = new HttpConfiguration(httpConfig);
        SecureRequestCustomizer src = new SecureRequestCustomizer();
        src.setSniHostCheck(false); // a self-signed certificate for 127.0.0.1 has no host name to check against
        https.addCustomizer(src);
        ServerConnector c = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
        c.setHost(host);
        c.setPort(port);
        return c;
    }

    public int port() {
        return app.port();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public void addCheck(String name, Check check) {
        checks.put(name, check);
    }

    /** Facts shown on /health, such as the inference provider actually used and the model sha256. */
    public void addInfo(String name, Supplier<Object> value) {
        info.put(name, value);
    }

    private void ready(Context ctx) throws JsonProcessingException {
        Map<String, Object> body = new LinkedHashMap<>();
        Map<String, String> failing = new LinkedHashMap<>();
        for (var e : checks.entrySet()) {
            String reason;
            try {
                reason = e.getValue().notReadyReason();
            } catch (RuntimeException err) {
                reason = "check failed: " + err.getMessage();
            }
            if (reason != null) {
                failing.put(e.getKey(), reason);
            }
        }
        boolean ready = failing.isEmpty() && !checks.isEmpty();
        body.put("status", ready ? "READY" : "NOT_READY");
        if (!failing.isEmpty()) {
            body.put("waiting_for", failing);
        }
        for (var e : info.entrySet()) {
            body.put(e.getKey(), e.getValue().get());
        }
        ctx.status(ready ? 200 : 503).contentType("application/json").result(JSON.writeValueAsString(body));
    }

    @Override
    public void close() {
        board.ifPresent(BoardRoutes::closeStreams);
        app.stop();
    }
}
