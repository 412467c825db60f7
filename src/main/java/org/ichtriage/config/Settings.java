package org.ichtriage.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The catalogue of every setting ich-triage reads, in the order {@code ich-triage config} prints them. */
public final class Settings {
    private Settings() {}

    public static final List<Setting> ALL = List.of(
            Setting.of("role", "all", "which parts run in this process: all, ingest, worker, forwarder, board, alerts-hl7, alerts-fhir or alerts-webhook"),
            Setting.of("state.dir", ".state", "local folder for the embedded broker's log and Kafka Streams state"),
            Setting.of("kafka.bootstrap-servers", "",
                    "external Kafka cluster (host:port,...); empty starts an embedded single-node broker. Also read from KAFKA_BOOTSTRAP_SERVERS"),
            Setting.of("kafka.embedded.host", "127.0.0.1", "bind address of the embedded broker"),
            Setting.of("kafka.embedded.port", "9092", "client port of the embedded broker (0 picks a free port)"),
            Setting.of("kafka.embedded.sync-instances", "true",
                    "embedded broker: sync every write to ich.instances.v1 to disk before confirming it (flush.messages=1), so that a "
                            + "C-STORE Success survives a power cut; a cluster gets the same promise from replication instead (docs/operations.md)"),
            Setting.of("kafka.security.protocol", "PLAINTEXT", "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL"),
            Setting.of("kafka.sasl.mechanism", "", "SASL mechanism, e.g. SCRAM-SHA-512 or PLAIN"),
            Setting.secret("kafka.sasl.jaas-config", "SASL JAAS configuration line (secret)"),
            Setting.of("kafka.ssl.truststore.location", "", "truststore for TLS to Kafka"),
            Setting.secret("kafka.ssl.truststore.password", "truststore password (secret)"),
            Setting.of("kafka.ssl.keystore.location", "", "keystore for mutual TLS to Kafka"),
            Setting.secret("kafka.ssl.keystore.password", "keystore password (secret)"),
            Setting.of("topics.partitions", "4", "partitions of ich.instances.v1 and the output topics; bounds the number of workers"),
            Setting.of("topics.replication-factor", "1", "replication factor of created topics (1 for the embedded broker; 3 on a cluster)"),
            Setting.of("topics.min-insync-replicas", "",
                    "min.insync.replicas of created topics and the workers' internal topics: replicas that must have a write before it is "
                            + "confirmed (and a C-STORE answered Success); empty takes the brokers' setting. 2 with replication factor 3"),
            Setting.of("topics.instances.retention-hours", "336", "how long received instances are kept for audit and replay (hours; -1 keeps them for good)"),
            Setting.of("http.bind-host", "127.0.0.1", "bind address of /health, /metrics and the board (/ui); off loopback the board needs http.auth.*"),
            Setting.of("http.port", "8080", "port of /health, /metrics and the board (0 picks a free port)"),
            Setting.secret("http.auth.token", "shared token for the board: a Bearer token, or the password of HTTP Basic with any user name (secret)"),
            Setting.of("http.auth.users-file", "", "file of board users with PBKDF2-hashed passwords (lines from `ich-triage board-user NAME`)"),
            Setting.of("http.tls.keystore", "", "PKCS12 keystore; when set the HTTP port speaks HTTPS only (TLS 1.2/1.3)"),
            Setting.secret("http.tls.keystore-password", "keystore password (secret)"),
            Setting.of("board.enabled", "true", "serve the triage board under /ui (read only) in roles all and board"),
            Setting.of("board.max-series", "2000", "series the board keeps in memory, newest first; older ones leave the worklist"),
            Setting.of("dicom.bind-host", "127.0.0.1", "bind address of the DICOM listener"),
            Setting.of("dicom.port", "11112", "port of the DICOM listener (0 picks a free port)"),
            Setting.of("dicom.ae-title", "ICHTRIAGE", "our AE title; the called AE title must match it"),
            Setting.of("dicom.max-associations", "8", "concurrent associations; more are rejected with local-limit-exceeded"),
            Setting.of("dicom.max-associations-per-ae", "4",
                    "concurrent associations one calling AE title may hold; more are rejected with local-limit-exceeded, so one sender cannot take the pool"),
            Setting.of("dicom.idle-timeout-ms", "60000",
                    "an established association with no PDU for this long is aborted, freeing its place in the pool"),
            Setting.of("dicom.max-pdu-length", "262144", "largest PDU we accept, in bytes"),
            Setting.of("dicom.store-timeout-ms", "10000", "longest wait for Kafka to confirm an instance before answering A700"),
            Setting.of("dicom.allowed-calling-aets", "", "comma-separated calling AE titles allowed; empty allows any"),
            Setting.of("dicom.allowed-addresses", "", "comma-separated source IP addresses allowed; empty allows any"),
            Setting.of("dicom.tls.keystore", "", "PKCS12 keystore; when set the listener speaks TLS 1.2/1.3 only"),
            Setting.secret("dicom.tls.keystore-password", "keystore password (secret)"),
            Setting.of("dicom.tls.truststore", "",
                    "PKCS12 truststore of the certificates (or their CAs) that senders' client certificates must chain to"),
            Setting.secret("dicom.tls.truststore-password", "truststore password (secret)"),
            Setting.of("dicom.tls.require-client-cert", "false",
                    "with TLS, refuse a sender without a client certificate trusted by dicom.tls.truststore (which must then be set)"),
            Setting.of("dicom.spool-dir", "", "optional folder to keep a copy of each received instance; empty writes nothing to disk"),
            Setting.of("disk.min-free-mb", "1024",
                    "free space (MiB) that state.dir, the embedded broker's log folder and dicom.spool-dir must keep; below it every C-STORE "
                            + "is refused with A700 and /health/ready is NOT_READY until space returns (docs/operations.md, Full disk); 0 turns the check off"),
            Setting.of("disk.check-interval-ms", "1000", "how often the free space of those folders is read"),
            Setting.of("pipeline.application-id", "ich-triage-worker", "Kafka Streams application id of the workers"),
            Setting.of("pipeline.instance-id", "",
                    "static Kafka group member id of this worker; empty keeps one generated once in <state.dir>/streams/instance-id. "
                            + "A worker restarted with the same id takes its partitions back at once; two live workers must never share one"),
            Setting.of("pipeline.stream-threads", "1", "Kafka Streams threads per worker process (one ONNX session each)"),
            Setting.of("pipeline.completion-gap-ms", "10000", "a series is complete after this long without a new instance"),
            Setting.of("pipeline.early-completion-quiet-ms", "1500",
                    "a contiguous, evenly spaced stack covering pipeline.early-completion-min-coverage-mm completes after this much quiet; 0 turns it off"),
            Setting.of("selection.enabled", "true", "analyse only non-contrast axial head CT; other series are recorded on ich.skipped.v1 with the reason"),
            Setting.of("selection.head-terms", "HEAD,BRAIN,SKULL,CRAN,CEREB,NEURO,ENCEPH,KOPF,SCHAEDEL,SCHADEL,TETE",
                    "words in BodyPartExamined, SeriesDescription, ProtocolName or StudyDescription that mark a head series"),
            Setting.of("selection.other-body-terms", "CHEST,THORAX,LUNG,ABDOMEN,PELVIS,SPINE,NECK,CARDIAC,HEART,LIVER,KIDNEY,EXTREMITY,KNEE,HIP,SHOULDER",
                    "words that mark another body part; a series with one of them and no head term is skipped"),
            Setting.of("selection.sharp-kernel-terms", "BONE,LUNG,SHARP,EDGE,H60,H70,H80,HR60,HR64,HR68,BR60,BR64,J70",
                    "ConvolutionKernel or SeriesDescription words of bone/lung reconstructions, which are skipped"),
            Setting.of("selection.allow-contrast", "false", "analyse series with a ContrastBolusAgent (the model reads non-contrast CT)"),
            Setting.of("selection.min-thickness-mm", "0.4", "thinnest SliceThickness analysed"),
            Setting.of("selection.max-thickness-mm", "10", "thickest SliceThickness analysed"),
            Setting.of("selection.max-tilt-degrees", "35", "largest angle between the slice normal and the head-feet axis (gantry tilt); more is a reformat"),
            Setting.of("pipeline.early-completion-min-coverage-mm", "100", "the length along the stack an early completion needs (a head is 120 mm or more)"),
            Setting.of("pipeline.max-slices", "1000", "largest number of slices in one series"),
            Setting.of("pipeline.max-series-mb", "1024", "largest series, in MiB of instance data"),
            Setting.of("pipeline.max-open-series", "64", "largest number of series being assembled at once"),
            Setting.of("pipeline.analysis-memory-mb", "4096",
                    "memory one analysis may take (estimated from slices x rows x columns and model.chunk-slices, docs/operations.md); "
                            + "a larger volume is refused to the dead-letter topic (MEMORY_BUDGET_EXCEEDED) instead of risking the worker"),
            Setting.of("pipeline.max-analysis-attempts", "2",
                    "a series whose analysis was started this many times without finishing (the worker died in it) goes to the "
                            + "dead-letter topic (ANALYSIS_NOT_FINISHED) instead of killing the worker again"),
            Setting.of("pipeline.transaction-timeout-ms", "600000",
                    "how long a worker's exactly-once transaction may stay open: it must outlast the longest analysis, which runs "
                            + "inside it; a worker that dies inside one holds its partitions' committed offsets that long, so the "
                            + "worker that takes them over is ready only after it (brokers allow up to transaction.max.timeout.ms, 15 min)"),
            Setting.of("model.path", "models/slexnet-ich.onnx", "ONNX model; its card is the .json beside it"),
            Setting.of("model.provider", "auto", "auto (CUDA when present, else CPU), cuda or cpu"),
            Setting.of("model.intra-op-threads", "2", "ONNX Runtime intra-op threads per session"),
            Setting.of("model.chunk-slices", "16",
                    "slices per ONNX Runtime call; native memory grows with this, not with the series (0: the whole volume in one call)"),
            Setting.of("results.large-volume-ml", "30", "volume at or above which large_volume is flagged"),
            Setting.of("results.min-component-mm3", "1000", "3D lesion components smaller than this (mm^3) are removed; 1000 = 1 mL, chosen on validation (docs/decisions/postprocessing.md); 0 keeps all"),
            Setting.of("results.gate.enabled", "true", "physics gate: a predicted lesion voxel stays only when the mean HU around it is plausible blood (docs/decisions/physics-gate.md)"),
            Setting.of("results.gate.min-hu", "40", "physics gate: lowest neighbourhood-mean HU kept as blood"),
            Setting.of("results.gate.max-hu", "100", "physics gate: highest neighbourhood-mean HU kept as blood (above: bone partial volume, calcification)"),
            Setting.of("results.gate.radius-mm", "1.0", "physics gate: radius of the in-plane neighbourhood, mm (at least one pixel)"),
            Setting.of("results.include-patient-name", "false", "put PatientName and PatientBirthDate into events (off by default)"),
            Setting.of("forward.destinations", "",
                    "comma-separated PACS destinations AE@host:port that SEG objects are sent to by C-STORE; empty forwards nothing"),
            Setting.of("forward.max-attempts", "5", "C-STORE attempts per object and destination before a dead letter"),
            Setting.of("forward.backoff-ms", "1000", "first retry delay; doubles on each further attempt"),
            Setting.of("forward.tls", "false", "use TLS 1.2/1.3 to the destinations (JSSE default trust store, or javax.net.ssl.trustStore)"),
            Setting.secret("results.patient-key-secret",
                    "HMAC key (at least 16 characters) for the patient key; empty derives a per-installation key in <state.dir>/patient-key. "
                            + "Set the same value on every worker, or their patient histories cannot be joined (secret)"),
            Setting.of("expansion.window-hours", "48", "compare a new result with the same patient's most recent earlier one within this many hours"),
            Setting.of("expansion.absolute-ml", "6", "growth above this many mL counts as hematoma expansion"),
            Setting.of("expansion.relative", "0.33", "growth above this fraction of the earlier volume counts as hematoma expansion (0.33 = 33%)"),
            // alerts (docs/integrations.md): each output is off until its destination is set
            Setting.of("alerts.max-attempts", "5", "attempts per result event and alert destination before a dead letter"),
            Setting.of("alerts.backoff-ms", "1000", "first alert retry delay; doubles on each further attempt, up to 5 minutes"),
            Setting.of("alerts.board-url", "", "base URL of the triage board; alerts then link to <board-url>/studies/<StudyInstanceUID>"),
            Setting.of("alerts.hl7.destinations", "", "comma-separated MLLP listeners host:port that get an HL7 v2.5.1 ORU^R01 per result; empty sends none"),
            Setting.of("alerts.hl7.tls", "false", "MLLP over TLS (JSSE default trust store, or javax.net.ssl.trustStore)"),
            Setting.of("alerts.hl7.min-category", "indeterminate", "least triage category sent over HL7: positive, indeterminate or negative"),
            Setting.of("alerts.hl7.revisions", "changed", "revisions of a series sent over HL7: changed (only when the verdict changes) or all"),
            Setting.of("alerts.hl7.patient-identity", "false", "put the patient's name and birth date (when the event has them) into PID; off: PID-3 is the patient key only"),
            Setting.of("alerts.hl7.sending-facility", "", "MSH-4 sending facility"),
            Setting.of("alerts.hl7.receiving-application", "", "MSH-5 receiving application"),
            Setting.of("alerts.hl7.receiving-facility", "", "MSH-6 receiving facility"),
            Setting.of("alerts.hl7.ack-timeout-ms", "30000", "longest wait for the HL7 ACK of one message"),
            Setting.of("alerts.fhir.base-url", "", "FHIR R4 server base URL that gets a transaction Bundle per result; empty sends none"),
            Setting.secret("alerts.fhir.bearer-token", "bearer token sent to the FHIR server (secret)"),
            Setting.of("alerts.fhir.min-category", "indeterminate", "least triage category sent to FHIR"),
            Setting.of("alerts.fhir.revisions", "changed", "revisions sent to FHIR: changed or all"),
            Setting.of("alerts.webhook.urls", "", "comma-separated http(s) URLs that get a signed POST per result; empty sends none"),
            Setting.secret("alerts.webhook.secret", "HMAC-SHA256 key (at least 16 characters) that signs every webhook (secret)"),
            Setting.of("alerts.webhook.body", "compact", "webhook body: compact (an alert without patient data) or event (the result event)"),
            Setting.of("alerts.webhook.min-category", "indeterminate", "least triage category sent to the webhooks"),
            Setting.of("alerts.webhook.revisions", "changed", "revisions sent to the webhooks: changed or all"));

    private static final Map<String, Setting> BY_KEY = new LinkedHashMap<>();

    static {
        for (Setting s : ALL) {
            BY_KEY.put(s.key(), s);
        }
    }

    public static Optional<Setting> byKey(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }
}
