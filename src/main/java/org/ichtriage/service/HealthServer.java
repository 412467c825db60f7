package org.ichtriage.service;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * /health/live, /health/ready and /metrics (Prometheus text) over the JDK's HTTP server.
 * Readiness is the AND of named checks that the running components register; the body says
 * which one is not ready, and carries static facts such as the inference provider and model sha256.
 */
public final class HealthServer implements AutoCloseable {
    /** A readiness check: null when ready, else a short reason. */
    @FunctionalInterface
    public interface Check {
        String notReadyReason();
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "health-http");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Check> checks = new ConcurrentHashMap<>();
    private final Map<String, Supplier<Object>> info = new ConcurrentHashMap<>();
    private final PrometheusMeterRegistry registry;

    public HealthServer(String host, int port, PrometheusMeterRegistry registry) throws IOException {
        this.registry = registry;
        server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.setExecutor(executor);
        server.createContext("/health/live", ex -> respond(ex, 200, "application/json", "{\"status\":\"UP\"}"));
        server.createContext("/health/ready", this::ready);
        server.createContext("/health", this::ready);
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
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

    private void ready(HttpExchange ex) throws IOException {
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
        respond(ex, ready ? 200 : 503, "application/json", JSON.writeValueAsString(body));
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
