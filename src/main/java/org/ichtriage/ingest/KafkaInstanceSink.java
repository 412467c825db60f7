package org.ichtriage.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.ichtriage.dicom.codec.DicomException;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.DicomWriter;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.codec.Uids;
import org.ichtriage.dicom.net.LogSafe;
import org.ichtriage.dicom.net.StoreHandler;
import org.ichtriage.dicom.net.StoreRequest;
import org.ichtriage.dicom.net.StoreStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.ichtriage.events.InstanceHeaders;
import org.ichtriage.volume.SlicePlacement;
import java.util.OptionalDouble;

/**
 * Hands each received instance to Kafka and answers Success only once the broker has acknowledged
 * it (acks=all, idempotent producer). The record value is the File Meta header followed by the
 * dataset bytes exactly as received, so no re-encoding can alter an instance on its way.
 */
public final class KafkaInstanceSink implements StoreHandler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaInstanceSink.class);

    private final IngestConfig cfg;
    private final Producer<String, byte[]> producer;

    /** @param clientProperties bootstrap servers and any security settings; reliability settings are ours */
    public KafkaInstanceSink(IngestConfig cfg, Properties clientProperties) {
        this.cfg = cfg;
        this.producer = new KafkaProducer<>(producerProperties(cfg, clientProperties), new StringSerializer(),
                new ByteArraySerializer());
        cfg.spoolDir().ifPresent(d -> {
            try {
                Files.createDirectories(d);
            } catch (IOException e) {
                throw new IllegalStateException("cannot create spool folder " + d + ": " + e.getMessage(), e);
            }
        });
    }

    static Properties producerProperties(IngestConfig cfg, Properties clientProperties) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put("max.in.flight.requests.per.connection", "5");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(cfg.maxRequestSize()));
        p.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(cfg.lingerMs()));
        // pixel data hardly compresses and compression costs CPU on the acknowledgement path
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        // a 512x512 slice (~525 KB) fits one pooled batch buffer; larger records would get a fresh allocation each
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(1024 * 1024));
        long timeoutMs = cfg.sendTimeout().toMillis();
        // send() must not block longer than the answer we owe the modality
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeoutMs));
        // the record may still be delivered after we answered A700; the modality then resends and the pipeline de-duplicates
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(Math.max(64L << 20, 4L * cfg.maxRequestSize())));
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "ich-ingest");
        return p;
    }

    @Override
    public StoreStatus store(StoreRequest req) {
        long t0 = System.nanoTime();
        String inst = req.sopInstanceUid();
        if (!Uids.isValid(inst)) {
            return reject(req, StoreStatus.CANNOT_UNDERSTAND, "invalid SOP Instance UID in command");
        }
        DicomObject ds;
        try {
            ds = DicomReader.readDatasetAttributes(req.datasetBytes(), req.transferSyntaxUid(), cfg.limits());
        } catch (DicomException e) {
            return reject(req, StoreStatus.CANNOT_UNDERSTAND, "dataset unreadable: " + e.getMessage());
        } catch (RuntimeException e) {
            return reject(req, StoreStatus.CANNOT_UNDERSTAND, "dataset unreadable: " + e);
        }
        if (!inst.equals(ds.getString(Tag.SOPInstanceUID))) {
            return reject(req, StoreStatus.DATASET_DOES_NOT_MATCH_SOP_CLASS, "SOP Instance UID in dataset differs from command");
        }
        if (!req.sopClassUid().equals(ds.getString(Tag.SOPClassUID))) {
            return reject(req, StoreStatus.DATASET_DOES_NOT_MATCH_SOP_CLASS, "SOP Class UID in dataset differs from command");
        }
        String series = ds.getString(Tag.SeriesInstanceUID);
        if (!Uids.isValid(series)) {
            return reject(req, StoreStatus.DATASET_DOES_NOT_MATCH_SOP_CLASS, "missing or invalid Series Instance UID");
        }
        byte[] header = DicomWriter.fileMetaHeader(req.sopClassUid(), inst, req.transferSyntaxUid(), req.callingAet());
        byte[] value = new byte[header.length + req.datasetBytes().length];
        System.arraycopy(header, 0, value, 0, header.length);
        System.arraycopy(req.datasetBytes(), 0, value, header.length, req.datasetBytes().length);
        if (cfg.spoolDir().isPresent()) {
            try {
                spool(cfg.spoolDir().get(), inst, value);
            } catch (IOException e) {
                return reject(req, StoreStatus.OUT_OF_RESOURCES, "spool write failed: " + e.getMessage());
            }
        }
        RecordHeaders h = new RecordHeaders();
        h.add(InstanceHeaders.SOP_INSTANCE_UID, utf8(inst));
        h.add(InstanceHeaders.SOP_CLASS_UID, utf8(req.sopClassUid()));
        h.add(InstanceHeaders.CALLING_AET, utf8(req.callingAet()));
        h.add(InstanceHeaders.CALLED_AET, utf8(req.calledAet()));
        h.add(InstanceHeaders.RECEIVED_AT, utf8(req.receivedAt().toString()));
        // what the assembly needs of the dataset, read here once so that the pipeline never parses it for that
        h.add(InstanceHeaders.IMAGES_IN_ACQUISITION, utf8(Integer.toString(ds.getInt(Tag.ImagesInAcquisition, -1))));
        int acquisition = ds.getInt(Tag.AcquisitionNumber, Integer.MIN_VALUE);
        h.add(InstanceHeaders.ACQUISITION_NUMBER, utf8(acquisition == Integer.MIN_VALUE ? "" : Integer.toString(acquisition)));
        OptionalDouble position = SlicePlacement.positionAlongNormal(ds.getDoubles(Tag.ImagePositionPatient),
                ds.getDoubles(Tag.ImageOrientationPatient));
        OptionalDouble spacing = SlicePlacement.nominalSpacing(ds.getDoubles(Tag.SpacingBetweenSlices), ds.getDoubles(Tag.SliceThickness));
        h.add(InstanceHeaders.SLICE_POSITION_MM, utf8(position.isPresent() ? Double.toString(position.getAsDouble()) : ""));
        h.add(InstanceHeaders.SLICE_SPACING_MM, utf8(spacing.isPresent() ? Double.toString(spacing.getAsDouble()) : ""));
        ProducerRecord<String, byte[]> rec = new ProducerRecord<>(cfg.topic(), null, series, value, h);
        try {
            RecordMetadata md = producer.send(rec).get(cfg.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("instance {} series {} from {}: {} bytes -> {}-{}@{} in {} ms", inst, series, LogSafe.text(req.callingAet()),
                    value.length, md.topic(), md.partition(), md.offset(), (System.nanoTime() - t0) / 1_000_000);
            countInstance("0000");
            org.ichtriage.StageMetrics.record("ingest_kafka_ack", System.nanoTime() - t0, TimeUnit.NANOSECONDS);
            return StoreStatus.OK;
        } catch (TimeoutException e) {
            return reject(req, StoreStatus.OUT_OF_RESOURCES, "Kafka did not acknowledge within " + cfg.sendTimeout().toMillis() + " ms");
        } catch (ExecutionException e) {
            return reject(req, StoreStatus.OUT_OF_RESOURCES, "Kafka write failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return reject(req, StoreStatus.OUT_OF_RESOURCES, "interrupted while waiting for Kafka");
        } catch (RuntimeException e) {
            // KafkaProducer.send throws directly when metadata cannot be fetched within max.block.ms
            return reject(req, StoreStatus.OUT_OF_RESOURCES, "Kafka write failed: " + e);
        }
    }

    /** Writes via a temporary file and an atomic move; the name can never leave {@code dir}. */
    static Path spool(Path dir, String sopInstanceUid, byte[] value) throws IOException {
        Path base = dir.toAbsolutePath().normalize();
        Path target = base.resolve(Uids.sanitizeForFileName(sopInstanceUid) + ".dcm").normalize();
        if (!target.getParent().equals(base)) {
            throw new IOException("spool path escapes spool folder");
        }
        Path tmp = Files.createTempFile(base, ".spool-", ".part");
        try {
            Files.write(tmp, value);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    private static StoreStatus reject(StoreRequest req, int code, String reason) {
        // the SOP Instance UID is logged only in sanitized form: a hostile one must not forge log lines
        LOG.warn("instance {} from {} ({}) refused with {}: {}", Uids.sanitizeForFileName(req.sopInstanceUid()),
                LogSafe.text(req.callingAet()), req.remoteAddress() == null ? "?" : req.remoteAddress().getHostAddress(),
                String.format("%04X", code), reason);
        countInstance(String.format("%04X", code));
        return StoreStatus.failure(code, reason);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }

    private static void countInstance(String dicomStatus) {
        io.micrometer.core.instrument.Counter.builder("ich_ingest_instances_total")
                .description("C-STORE requests answered, by DICOM status (0000 stored, A700 Kafka did not confirm, ...)")
                .tag("status", dicomStatus).register(io.micrometer.core.instrument.Metrics.globalRegistry).increment();
    }
}
