package org.ichtriage.config;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;

import org.ichtriage.alerts.AlertSettings;
import org.ichtriage.inference.PhysicsGate;

/** The typed, validated configuration of one ich-triage process. Built only through {@link #from}. */
public record IchConfig(
        Role role,
        Path stateDir,
        Kafka kafka,
        Topics topics,
        Http http,
        Dicom dicom,
        Pipeline pipeline,
        ForwardSettings forward,
        Model model,
        Results results,
        Expansion expansion,
        AlertSettings alerts,
        Selection selection,
        Disk disk) {

    public enum Role { ALL, INGEST, WORKER, FORWARDER, BOARD, ALERTS_HL7, ALERTS_FHIR, ALERTS_WEBHOOK }

    public enum Provider { AUTO, CUDA, CPU }

    /**
     * @param embeddedSyncInstances the embedded broker syncs each write to ich.instances.v1 to disk before
     *                              it confirms it, so that a Success never rests on the page cache alone
     */
    public record Kafka(Optional<String> bootstrapServers, String embeddedHost, int embeddedPort,
                        String securityProtocol, String saslMechanism, String saslJaasConfig,
                        String truststoreLocation, String truststorePassword,
                        String keystoreLocation, String keystorePassword, boolean embeddedSyncInstances) {
        public boolean embedded() {
            return bootstrapServers.isEmpty();
        }

        /** The cluster to talk to: the configured one, or the embedded broker's address. */
        public String bootstrapOrEmbedded() {
            return bootstrapServers.orElse(embeddedHost + ":" + embeddedPort);
        }

        @Override
        public String toString() {
            return "Kafka[bootstrapServers=" + bootstrapServers + ", embedded=" + embeddedHost + ":" + embeddedPort
                    + ", securityProtocol=" + securityProtocol + ", saslMechanism=" + saslMechanism + ", secrets=****]";
        }

        /** Client security settings for producers, consumers, admin and Streams. */
        public Properties clientSecurityProperties() {
            Properties p = new Properties();
            p.put("security.protocol", securityProtocol);
            putIfSet(p, "sasl.mechanism", saslMechanism);
            putIfSet(p, "sasl.jaas.config", saslJaasConfig);
            putIfSet(p, "ssl.truststore.location", truststoreLocation);
            putIfSet(p, "ssl.truststore.password", truststorePassword);
            putIfSet(p, "ssl.keystore.location", keystoreLocation);
            putIfSet(p, "ssl.keystore.password", keystorePassword);
            return p;
        }

        private static void putIfSet(Properties p, String k, String v) {
            if (!v.isEmpty()) {
                p.put(k, v);
            }
        }
    }

    /** @param minInsyncReplicas min.insync.replicas of created topics; empty leaves the brokers' default */
    public record Topics(int partitions, short replicationFactor, long instancesRetentionHours, OptionalInt minInsyncReplicas) {
        /** Topics that take the brokers' min.insync.replicas. */
        public Topics(int partitions, short replicationFactor, long instancesRetentionHours) {
            this(partitions, replicationFactor, instancesRetentionHours, OptionalInt.empty());
        }
    }

    /**
     * The HTTP port: probes, metrics and the board.
     *
     * @param authToken the board's shared token, empty when none
     * @param board     whether this process serves the board, and how many series it keeps
     */
    public record Http(String bindHost, int port, Optional<String> authToken, Optional<Path> usersFile,
                       Optional<Path> tlsKeystore, String tlsKeystorePassword, boolean board, int boardMaxSeries) {
        /** Whether the port is reachable from this machine only. */
        public boolean loopbackOnly() {
            return bindHost.equals("localhost") || bindHost.startsWith("127.") || bindHost.equals("::1") || bindHost.equals("[::1]");
        }

        @Override
        public String toString() {
            return "Http[" + bindHost + ":" + port + ", token " + (authToken.isPresent() ? "set" : "none") + ", users " + usersFile
                    + ", tls " + tlsKeystore + ", board " + board + "]";
        }
    }

    public record Dicom(String bindHost, int port, String aeTitle, int maxAssociations, int maxPduLength,
                       long storeTimeoutMs, List<String> allowedCallingAets, List<String> allowedAddresses,
                       Optional<Path> tlsKeystore, String tlsKeystorePassword, Optional<Path> spoolDir,
                       int maxAssociationsPerAe, long idleTimeoutMs, Optional<Path> tlsTruststore,
                       String tlsTruststorePassword, boolean tlsRequireClientCert) {
        @Override
        public String toString() {
            return "Dicom[" + aeTitle + "@" + bindHost + ":" + port + ", maxAssociations=" + maxAssociations
                    + ", tls=" + tlsKeystore.isPresent() + ", keystorePassword=****]";
        }
    }

    /**
     * @param analysisMemoryBytes   a volume whose estimated analysis memory exceeds this is refused before inference
     * @param maxAnalysisAttempts   a series whose analysis was started this many times without finishing (the worker
     *                              died in it) is refused instead of being analysed again
     * @param transactionTimeoutMs  the workers' exactly-once transaction timeout: longer than any analysis, and how long
     *                              a dead worker's partitions stay held from the worker that takes them over
     */
    public record Pipeline(String applicationId, int streamThreads, long completionGapMs, int maxSlices,
                           long maxSeriesBytes, int maxOpenSeries, long earlyQuietMs, double earlyMinCoverageMm,
                           long analysisMemoryBytes, int maxAnalysisAttempts, long transactionTimeoutMs,
                           Optional<String> instanceId) {}

    /** @param chunkSlices slices per ONNX Runtime call (0: the whole volume in one call) */
    public record Model(Path path, Provider provider, int intraOpThreads, int chunkSlices) {}

    /** patientKeySecret is empty when the per-installation key file is to be used. */
    public record Results(double largeVolumeMl, double minComponentMm3, PhysicsGate gate, boolean includePatientName,
                          String patientKeySecret) {
        /** Masks the secret: records print every component, and configs end up in logs. */
        @Override
        public String toString() {
            return "Results[largeVolumeMl=" + largeVolumeMl + ", minComponentMm3=" + minComponentMm3 + ", gate=" + gate
                    + ", includePatientName=" + includePatientName
                    + ", patientKeySecret=" + (patientKeySecret.isEmpty() ? "" : "****") + "]";
        }
    }

    /**
     * The free-space floor of the folders this process writes to.
     *
     * @param minFreeMb       MiB that must stay free; 0 turns the check off
     * @param checkIntervalMs how often free space is read
     */
    public record Disk(long minFreeMb, int checkIntervalMs) {
        public boolean enabled() {
            return minFreeMb > 0;
        }
    }

    /**
     * Hematoma expansion follow-up: growth counts when it exceeds absoluteMl or relative (a fraction
     * of the earlier volume), against the most recent earlier result within windowHours.
     */
    public record Expansion(double windowHours, double absoluteMl, double relative) {}

    /** Which series the worker analyses (docs/decisions/series-selection.md); term lists match header text. */
    public record Selection(boolean enabled, List<String> headTerms, List<String> otherBodyTerms, List<String> sharpKernelTerms,
                            boolean allowContrast, double minThicknessMm, double maxThicknessMm, double maxTiltDegrees) {}

    /** Requiring client certificates without a keystore (no TLS) or a truststore (nothing to trust) would be a silent no-op. */
    private static boolean clientCertRequirement(Parser p) {
        boolean required = p.bool("dicom.tls.require-client-cert");
        if (required && p.optionalPath("dicom.tls.keystore").isEmpty()) {
            throw new ConfigException("dicom.tls.require-client-cert", "needs dicom.tls.keystore (the listener speaks TLS only with it)");
        }
        if (required && p.optionalPath("dicom.tls.truststore").isEmpty()) {
            throw new ConfigException("dicom.tls.require-client-cert", "needs dicom.tls.truststore (the certificates senders must present)");
        }
        return required;
    }

    private static Topics topics(Parser p) {
        short replicationFactor = (short) p.intIn("topics.replication-factor", 1, 10);
        OptionalInt minInsync = OptionalInt.empty();
        if (!p.string("topics.min-insync-replicas").isEmpty()) {
            int n = p.intIn("topics.min-insync-replicas", 1, 10);
            if (n > replicationFactor) {
                // no write could ever be confirmed: every C-STORE would be answered A700
                throw new ConfigException("topics.min-insync-replicas", "'" + n + "' is above topics.replication-factor ("
                        + replicationFactor + "); no write could be confirmed");
            }
            minInsync = OptionalInt.of(n);
        }
        return new Topics(p.intIn("topics.partitions", 1, 1000), replicationFactor,
                p.longRetention("topics.instances.retention-hours"), minInsync);
    }

    public static IchConfig from(ResolvedSettings s) {
        Parser p = new Parser(s);
        String bootstrap = p.string("kafka.bootstrap-servers");
        String protocol = p.oneOf("kafka.security.protocol", "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
        return new IchConfig(
                Role.valueOf(p.oneOf("role", "all", "ingest", "worker", "forwarder", "board", "alerts-hl7", "alerts-fhir", "alerts-webhook")
                        .toUpperCase(Locale.ROOT).replace('-', '_')),
                Path.of(p.nonEmpty("state.dir")),
                new Kafka(bootstrap.isEmpty() ? Optional.empty() : Optional.of(p.hostPortList("kafka.bootstrap-servers")),
                        p.nonEmpty("kafka.embedded.host"), p.port("kafka.embedded.port"), protocol,
                        p.string("kafka.sasl.mechanism"), p.string("kafka.sasl.jaas-config"),
                        p.string("kafka.ssl.truststore.location"), p.string("kafka.ssl.truststore.password"),
                        p.string("kafka.ssl.keystore.location"), p.string("kafka.ssl.keystore.password"),
                        p.bool("kafka.embedded.sync-instances")),
                topics(p),
                new Http(p.nonEmpty("http.bind-host"), p.port("http.port"),
                        Optional.of(p.optionalSecret("http.auth.token", 16)).filter(t -> !t.isEmpty()),
                        p.optionalPath("http.auth.users-file"), p.optionalPath("http.tls.keystore"),
                        p.string("http.tls.keystore-password"), p.bool("board.enabled"), p.intIn("board.max-series", 10, 1_000_000)),
                new Dicom(p.nonEmpty("dicom.bind-host"), p.port("dicom.port"), p.aeTitle("dicom.ae-title"),
                        p.intIn("dicom.max-associations", 1, 1000),
                        p.intIn("dicom.max-pdu-length", 4096, 16 * 1024 * 1024),
                        p.intIn("dicom.store-timeout-ms", 100, 600_000),
                        p.list("dicom.allowed-calling-aets"), p.list("dicom.allowed-addresses"),
                        p.optionalPath("dicom.tls.keystore"), p.string("dicom.tls.keystore-password"),
                        p.optionalPath("dicom.spool-dir"),
                        p.intIn("dicom.max-associations-per-ae", 1, 1000), p.intIn("dicom.idle-timeout-ms", 1000, 3_600_000),
                        p.optionalPath("dicom.tls.truststore"), p.string("dicom.tls.truststore-password"),
                        clientCertRequirement(p)),
                new Pipeline(p.nonEmpty("pipeline.application-id"), p.intIn("pipeline.stream-threads", 1, 64),
                        p.intIn("pipeline.completion-gap-ms", 100, 3_600_000), p.intIn("pipeline.max-slices", 3, 100_000),
                        p.intIn("pipeline.max-series-mb", 1, 1_000_000) * 1024L * 1024L,
                        p.intIn("pipeline.max-open-series", 1, 100_000),
                        p.intIn("pipeline.early-completion-quiet-ms", 0, 3_600_000),
                        p.doubleIn("pipeline.early-completion-min-coverage-mm", 0, 2000),
                        p.intIn("pipeline.analysis-memory-mb", 64, 1_000_000) * 1024L * 1024L,
                        p.intIn("pipeline.max-analysis-attempts", 1, 100),
                        p.intIn("pipeline.transaction-timeout-ms", 10_000, 900_000),
                        Optional.of(p.string("pipeline.instance-id").strip()).filter(id -> !id.isEmpty())),
                new ForwardSettings(p.destinations("forward.destinations"), p.intIn("forward.max-attempts", 1, 100),
                        p.intIn("forward.backoff-ms", 10, 600_000), p.bool("forward.tls")),
                new Model(Path.of(p.nonEmpty("model.path")),
                        Provider.valueOf(p.oneOf("model.provider", "auto", "cuda", "cpu").toUpperCase(Locale.ROOT)),
                        p.intIn("model.intra-op-threads", 1, 256), p.intIn("model.chunk-slices", 0, 100_000)),
                new Results(p.doubleMin("results.large-volume-ml", 0), p.doubleMin("results.min-component-mm3", 0),
                        gate(p), p.bool("results.include-patient-name"), p.optionalSecret("results.patient-key-secret", 16)),
                new Expansion(p.doubleIn("expansion.window-hours", 1, 24 * 365),
                        p.doubleIn("expansion.absolute-ml", 0.1, 1000),
                        p.doubleIn("expansion.relative", 0.01, 10)),
                alerts(s),
                new Selection(p.bool("selection.enabled"), p.list("selection.head-terms"), p.list("selection.other-body-terms"),
                        p.list("selection.sharp-kernel-terms"), p.bool("selection.allow-contrast"),
                        p.doubleIn("selection.min-thickness-mm", 0, 100), p.doubleIn("selection.max-thickness-mm", 0.1, 100),
                        p.doubleIn("selection.max-tilt-degrees", 0, 90)),
                new Disk(p.intIn("disk.min-free-mb", 0, 100_000_000), p.intIn("disk.check-interval-ms", 100, 3_600_000)));
    }

    private static AlertSettings alerts(ResolvedSettings s) {
        try {
            return AlertSettings.from(key -> s.get(key).raw());
        } catch (AlertSettings.InvalidSettingException e) {
            throw new ConfigException(e.key(), e.getMessage());
        }
    }

    private static PhysicsGate gate(Parser p) {
        double min = p.doubleIn("results.gate.min-hu", -1000, 3000);
        double max = p.doubleIn("results.gate.max-hu", -1000, 3000);
        if (!(min < max)) {
            throw new ConfigException("results.gate.max-hu", "'" + max + "' is not allowed; it must be above results.gate.min-hu (" + min + ")");
        }
        return new PhysicsGate(p.bool("results.gate.enabled"), min, max, p.doubleIn("results.gate.radius-mm", 0.1, 20));
    }

    public static IchConfig load(Path configFile, Map<String, String> env, Map<String, String> cli) {
        return from(ResolvedSettings.resolve(configFile, env, cli));
    }

    /** Parses raw strings; every failure names the setting and what it allows. */
    private record Parser(ResolvedSettings s) {
        String string(String key) {
            return s.get(key).raw();
        }

        String nonEmpty(String key) {
            String v = string(key);
            if (v.isEmpty()) {
                throw new ConfigException(key, "must not be empty");
            }
            return v;
        }

        int intIn(String key, int min, int max) {
            String v = string(key);
            try {
                int i = Integer.parseInt(v);
                if (i < min || i > max) {
                    throw new ConfigException(key, "'" + v + "' is out of range; allowed " + min + ".." + max);
                }
                return i;
            } catch (NumberFormatException e) {
                throw new ConfigException(key, "'" + v + "' is not a whole number; allowed " + min + ".." + max);
            }
        }

        int port(String key) {
            return intIn(key, 0, 65535);
        }

        long longRetention(String key) {
            String v = string(key);
            try {
                long l = Long.parseLong(v);
                if (l == -1 || l >= 1) {
                    return l;
                }
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
            throw new ConfigException(key, "'" + v + "' is not allowed; give hours >= 1, or -1 to keep for good");
        }

        double doubleMin(String key, double min) {
            String v = string(key);
            try {
                double d = Double.parseDouble(v);
                if (d >= min && Double.isFinite(d)) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // falls through
            }
            throw new ConfigException(key, "'" + v + "' is not allowed; give a number >= " + min);
        }

        /** Zero rules out a rule silently firing on any growth; an upper bound catches unit mistakes (mL vs µL). */
        double doubleIn(String key, double min, double max) {
            String v = string(key);
            try {
                double d = Double.parseDouble(v);
                if (Double.isFinite(d) && d >= min && d <= max) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // falls through
            }
            throw new ConfigException(key, "'" + v + "' is not allowed; give a number in " + min + ".." + max);
        }

        /** A short key makes a keyed hash of low-entropy IDs guessable; the value itself is never put in the message. */
        String optionalSecret(String key, int minLength) {
            String v = string(key);
            if (!v.isEmpty() && v.length() < minLength) {
                throw new ConfigException(key, "is too short (" + v.length() + " characters); give at least " + minLength
                        + ", or leave it empty for a per-installation key");
            }
            return v;
        }

        boolean bool(String key) {
            String v = string(key).toLowerCase(Locale.ROOT);
            if (v.equals("true") || v.equals("false")) {
                return Boolean.parseBoolean(v);
            }
            throw new ConfigException(key, "'" + string(key) + "' is not allowed; give true or false");
        }

        String oneOf(String key, String... allowed) {
            String v = string(key);
            for (String a : allowed) {
                if (a.equalsIgnoreCase(v)) {
                    return a;
                }
            }
            throw new ConfigException(key, "'" + v + "' is not allowed; give one of " + String.join(", ", allowed));
        }

        String aeTitle(String key) {
            String v = string(key);
            if (v.isEmpty() || v.length() > 16 || !v.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '\\')) {
                throw new ConfigException(key, "'" + v + "' is not an AE title; give 1-16 printable ASCII characters without backslash");
            }
            return v;
        }

        String hostPortList(String key) {
            String v = string(key);
            for (String hp : v.split(",")) {
                int colon = hp.lastIndexOf(':');
                if (colon <= 0 || colon == hp.length() - 1 || !hp.substring(colon + 1).chars().allMatch(Character::isDigit)) {
                    throw new ConfigException(key, "'" + hp + "' is not host:port; give host:port[,host:port...]");
                }
            }
            return v;
        }

        List<PacsDestination> destinations(String key) {
            List<PacsDestination> out = new java.util.ArrayList<>();
            for (String d : list(key)) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("([^@]{1,16})@([^:]+):(\\d{1,5})").matcher(d);
                if (!m.matches() || Integer.parseInt(m.group(3)) > 65535) {
                    throw new ConfigException(key, "'" + d + "' is not a destination; give AE@host:port[,AE@host:port...]");
                }
                out.add(new PacsDestination(m.group(1), m.group(2), Integer.parseInt(m.group(3))));
            }
            return List.copyOf(out);
        }

        List<String> list(String key) {
            String v = string(key);
            return v.isEmpty() ? List.of() : Arrays.stream(v.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
        }

        Optional<Path> optionalPath(String key) {
            String v = string(key);
            return v.isEmpty() ? Optional.empty() : Optional.of(Path.of(v));
        }
    }
}
