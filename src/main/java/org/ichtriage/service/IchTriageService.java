package org.ichtriage.service;

import org.ichtriage.SoftwareVersion;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.ichtriage.alerts.AlertDelivery;
import org.ichtriage.inference.ModelException;
import org.ichtriage.inference.SegmentationModel;
import org.ichtriage.forward.PacsForwarder;
import org.ichtriage.pipeline.PipelineRunner;
import org.ichtriage.pipeline.PipelineSettings;
import org.ichtriage.pipeline.WorkerStateFolder;
import java.nio.file.Path;
import org.ichtriage.analysis.ExpansionAssessor;
import org.ichtriage.pipeline.StreamLimits;
import org.ichtriage.analysis.TriageAnalyzer;
import org.ichtriage.pipeline.TriageTopology;
import org.ichtriage.config.IchConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.ichtriage.board.BoardAccess;
import org.ichtriage.board.BoardRoutes;
import org.ichtriage.board.BoardView;
import org.ichtriage.board.SeriesImages;
import org.ichtriage.config.ConfigException;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.ichtriage.ingest.DicomIngest;
import org.ichtriage.ingest.IngestBlocker;
import org.ichtriage.kafka.EmbeddedKafka;
import org.ichtriage.kafka.KafkaConnection;
import org.ichtriage.kafka.TopicCatalog;
import org.ichtriage.UserError;

/**
 * One ich-triage process: the embedded broker when no external Kafka is configured, the topics,
 * /health and /metrics, and the parts its role asks for. Parts are closed in reverse start order.
 */
public final class IchTriageService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IchTriageService.class);

    private final IchConfig config;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private KafkaConnection kafka;
    private HealthServer health;
    private Admin admin;
    private volatile boolean startupComplete;
    private DicomIngest dicom;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public IchTriageService(IchConfig config) {
        this.config = config;
    }

    public IchTriageService start() throws IOException, InterruptedException, TimeoutException {
        long t0 = System.nanoTime();
        // Components record through Micrometer's global registry; this process's Prometheus registry serves /metrics.
        io.micrometer.core.instrument.Metrics.addRegistry(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        IchConfig.Http http = config.http();
        Optional<BoardRoutes> board = Optional.empty();
        if (http.board() && (config.role() == IchConfig.Role.ALL || config.role() == IchConfig.Role.BOARD)) {
            BoardAccess access;
            try {
                access = BoardAccess.of(http.authToken(), http.usersFile());
            } catch (BoardAccess.UsersFileException e) {
                throw new ConfigException("http.auth.users-file", e.getMessage());
            }
            board = Optional.of(new BoardRoutes(access, http.loopbackOnly(), config.results().includePatientName()));
            board.get().refusal().ifPresent(why -> log.warn("board refused: {}", why));
        }
        health = new HealthServer(http.bindHost(), http.port(), registry,
                http.tlsKeystore().map(k -> new HealthServer.Tls(k, http.tlsKeystorePassword())), board);
        started.push(health);
        health.addCheck("startup", () -> startupComplete ? null : "starting");
        String scheme = http.tlsKeystore().isPresent() ? "https" : "http";
        log.info("health and metrics on {}://{}:{}/health/ready{}", scheme, http.bindHost(), health.port(),
                board.isPresent() ? ", triage board on " + scheme + "://" + http.bindHost() + ":" + health.port() + "/ui/" : "");

        Path brokerDir = config.stateDir().resolve("kafka");
        java.util.List<IngestBlocker> ingestBlockers = new java.util.ArrayList<>();
        if (config.disk().enabled()) {
            DiskSpaceGuard disk = own(new DiskSpaceGuard(watchedFolders(brokerDir), config.disk().minFreeMb(),
                    DiskSpaceGuard::fileSystemUsableBytes).start(java.time.Duration.ofMillis(config.disk().checkIntervalMs())));
            health.addCheck("disk", disk);
            ingestBlockers.add(disk);
        }
        String bootstrap;
        if (config.kafka().embedded()) {
            EmbeddedKafka broker = new EmbeddedKafka(brokerDir,
                    config.kafka().embeddedHost(), config.kafka().embeddedPort()).start();
            started.push(broker);
            bootstrap = broker.bootstrapServers();
            health.addCheck("kafka-broker", () -> broker.failure().orElse(null));
            ingestBlockers.add(() -> broker.failure().map(why -> "embedded Kafka broker failed; restart needed (see log)"));
        } else {
            bootstrap = config.kafka().bootstrapServers().orElseThrow();
            log.info("using external Kafka at {}", bootstrap);
        }
        kafka = new KafkaConnection(bootstrap, config.kafka());
        admin = kafka.admin();
        started.push(admin);
        health.addCheck("kafka", new CachedCheck(() -> KafkaConnection.unreachableReason(admin, 2000), 2000));
        TopicCatalog.ensureTopics(admin, config.topics());
        if (config.kafka().embedded()) {
            // one broker, no replicas: the disk is the only thing behind a C-STORE Success
            TopicCatalog.syncInstancesBeforeAck(admin, config.kafka().embeddedSyncInstances());
        }
        if (config.role() == IchConfig.Role.ALL || config.role() == IchConfig.Role.WORKER) {
            startWorker();
        }
        if (config.role() == IchConfig.Role.ALL || config.role() == IchConfig.Role.INGEST) {
            dicom = own(DicomIngest.start(config.dicom(), kafka.clientProperties(), IngestBlocker.anyOf(ingestBlockers)));
            log.info("DICOM listener {} on {}:{}", config.dicom().aeTitle(), config.dicom().bindHost(), dicom.port());
            health.addInfo("dicom_port", dicom::port);
        }
        if ((config.role() == IchConfig.Role.ALL || config.role() == IchConfig.Role.FORWARDER)
                && !config.forward().destinations().isEmpty()) {
            PacsForwarder forwarder = own(PacsForwarder.start(kafka.clientProperties(), config.forward(),
                    config.dicom().aeTitle(), registry, SoftwareVersion.get()));
            health.addCheck("forwarder", forwarder::notReadyReason);
        }
        startAlerts();
        if (board.isPresent()) {
            BoardView view = own(BoardView.start(kafka.clientProperties(), http.boardMaxSeries()));
            board.get().connect(view, new SeriesImages(kafka, 3));
            health.addCheck("board", view::notReadyReason);
        }
        health.addInfo("role", () -> config.role().name().toLowerCase());
        health.addInfo("software_version", SoftwareVersion::get);
        startupComplete = true;
        log.info("ich-triage {} started as role {} in {} ms", SoftwareVersion.get(),
                config.role().name().toLowerCase(), (System.nanoTime() - t0) / 1_000_000);
        return this;
    }

    /** The folders this process writes to; the broker's first, as it is the one that fails hardest when full. */
    private java.util.List<DiskSpaceGuard.WatchedFolder> watchedFolders(Path brokerDir) {
        java.util.List<DiskSpaceGuard.WatchedFolder> folders = new java.util.ArrayList<>();
        if (config.kafka().embedded()) {
            folders.add(new DiskSpaceGuard.WatchedFolder("state.dir/kafka", brokerDir));
        }
        folders.add(new DiskSpaceGuard.WatchedFolder("state.dir", config.stateDir()));
        if (config.role() == IchConfig.Role.ALL || config.role() == IchConfig.Role.INGEST) {
            config.dicom().spoolDir().ifPresent(spool -> folders.add(new DiskSpaceGuard.WatchedFolder("dicom.spool-dir", spool)));
        }
        return folders;
    }

    private void startWorker() throws InterruptedException, TimeoutException {
        SegmentationModel model;
        try {
            model = WorkerAssembly.openModel(config);
        } catch (ModelException e) {
            throw new UserError("model.path: " + e.getMessage());
        }
        log.info("model {} {} (sha256 {}) on {}", model.card().name(), model.card().version(), model.modelSha256(), model.provider());
        health.addInfo("inference_provider", model::provider);
        health.addInfo("model", () -> model.card().name() + " " + model.card().version());
        health.addInfo("model_sha256", model::modelSha256);
        io.micrometer.core.instrument.Gauge.builder("ich_model_loaded", () -> 1)
                .description("1 while a model is loaded; its provider (CPU or CUDA), sha256 and name are the labels")
                .tag("provider", model.provider()).tag("sha256", model.modelSha256()).tag("model", model.card().name())
                .register(registry);
        TriageAnalyzer analyzer = own(WorkerAssembly.analyzer(config, model, config.forward().destinationNames()));
        IchConfig.Pipeline p = config.pipeline();
        StreamLimits limits = new StreamLimits(p.completionGapMs(), p.maxSlices(), p.maxSeriesBytes(), p.maxOpenSeries(),
                Math.max(10 * 60_000L, 3 * p.completionGapMs()), p.earlyQuietMs(), p.earlyMinCoverageMm(),
                p.maxAnalysisAttempts());
        IchConfig.Expansion e = config.expansion();
        PipelineSettings settings = PipelineSettings.live(limits, p.applicationId(),
                new ExpansionAssessor(e.windowHours(), e.absoluteMl(), e.relative()));
        TopicCatalog.ensure(admin, java.util.List.of(TopicCatalog.stagingSpec(settings.stagingTopic(), config.topics())));
        Path streamsDir = config.stateDir().resolve("streams");
        String memberId;
        try {
            memberId = WorkerStateFolder.instanceId(p.instanceId(), streamsDir);
        } catch (WorkerStateFolder.InvalidInstanceIdException invalid) {
            throw new ConfigException("pipeline.instance-id", invalid.getMessage());
        }
        // the changelogs and repartition topics Streams creates hold confirmed state too: the same durability
        java.util.Properties streamsClient = kafka.clientProperties();
        TopicCatalog.durability(config.topics()).forEach((k, v) -> streamsClient.put(
                org.apache.kafka.streams.StreamsConfig.topicPrefix(k), v));
        streamsClient.put(org.apache.kafka.streams.StreamsConfig.producerPrefix(
                org.apache.kafka.clients.producer.ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), (int) p.transactionTimeoutMs());
        PipelineRunner runner = own(PipelineRunner.staticMember(
                TriageTopology.build(analyzer, settings),
                streamsClient, p.applicationId(), streamsDir, p.streamThreads(),
                config.topics().replicationFactor(), memberId).start());
        health.addCheck("pipeline", runner::notReadyReason);
    }

    /** The alert outputs (HL7, FHIR, webhook) of this role that are configured, each in its own consumer group. */
    private void startAlerts() throws InterruptedException, TimeoutException {
        java.util.List<Alerts.Output> outputs = switch (config.role()) {
            case ALL -> java.util.List.of(Alerts.Output.values());
            case ALERTS_HL7 -> java.util.List.of(Alerts.Output.HL7);
            case ALERTS_FHIR -> java.util.List.of(Alerts.Output.FHIR);
            case ALERTS_WEBHOOK -> java.util.List.of(Alerts.Output.WEBHOOK);
            default -> java.util.List.of();
        };
        java.util.List<AlertDelivery> alerts = Alerts.create(config.alerts(), outputs, kafka.clientProperties(), registry,
                SoftwareVersion.get(), AlertDelivery.Topics.defaults(), java.time.Clock.systemUTC());
        if (alerts.isEmpty()) {
            return;
        }
        TopicCatalog.ensure(admin, java.util.List.of(TopicCatalog.spec(AlertDelivery.STATUS_TOPIC, config.topics(),
                java.util.Map.of("retention.ms", "-1", "cleanup.policy", "delete"))));
        for (AlertDelivery a : alerts) {
            own(a).start();
            health.addCheck("alerts-" + a.name(), a::notReadyReason);
        }
    }

    public IchConfig config() {
        return config;
    }

    public KafkaConnection kafka() {
        return kafka;
    }

    /** The DICOM listener's port (useful when configured as 0), or -1 when this role runs none. */
    public int dicomPort() {
        return dicom == null ? -1 : dicom.port();
    }

    public HealthServer health() {
        return health;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Registers a running part so that it is closed, in reverse order, with the service. */
    public <T extends AutoCloseable> T own(T part) {
        started.push(part);
        return part;
    }

    /** Idempotent and serialised: the shutdown hook and the main thread may both call it. */
    @Override
    public synchronized void close() {
        io.micrometer.core.instrument.Metrics.removeRegistry(registry);
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
            } catch (Exception e) {
                log.warn("error while stopping {}: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }

    /** Keeps a slow check (a network round trip) from running on every probe. */
    static final class CachedCheck implements HealthServer.Check {
        private final HealthServer.Check delegate;
        private final long ttlMs;
        private long checkedAt = Long.MIN_VALUE / 2;
        private String last = "not checked yet";

        CachedCheck(HealthServer.Check delegate, long ttlMs) {
            this.delegate = delegate;
            this.ttlMs = ttlMs;
        }

        @Override
        public synchronized String notReadyReason() {
            long now = System.currentTimeMillis();
            if (now - checkedAt > ttlMs) {
                last = delegate.notReadyReason();
                checkedAt = now;
            }
            return last;
        }
    }
}
