package org.ichtriage.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.header.Header;
import org.ichtriage.Topics;
import org.ichtriage.config.IchConfig;
import org.ichtriage.dicom.codec.DicomException;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.net.DicomClient;
import org.ichtriage.dicom.net.Part10Input;
import org.ichtriage.dicom.net.ScuConfig;
import org.ichtriage.dicom.net.StoreStatus;
import org.ichtriage.events.DeadLetter;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.InstanceHeaders;
import org.ichtriage.events.ResultEvent;
import org.ichtriage.kafka.EmbeddedKafka;
import org.ichtriage.kafka.KafkaConnection;
import org.ichtriage.kafka.TopicCatalog;
import org.ichtriage.kafka.TopicReader;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.phantom.HeadPhantom;
import org.ichtriage.phantom.Phantom;
import org.ichtriage.phantom.PhantomSpec;

/**
 * A bounded soak: senders push synthetic head CT series over DICOM to an ingest process while a worker
 * process is killed with SIGKILL and the broker is restarted, each on a schedule; then, after a
 * bounded drain, the topics are read from the beginning and checked against what the senders were
 * told was stored (SoakTally). The broker lives in this process (a single node, as the embedded one
 * of `run`, its data on disk); the ingest and the worker are `run --role ...` children of the same
 * build, so that a kill is a real SIGKILL and a restart a real start on the same state folder.
 */
public final class SoakBenchmark {
    private SoakBenchmark() {
    }

    /** How to start the service's JVM: the java binary, its options and class path, Main's class name, and settings for every child. */
    public record Launch(String javaBin, List<String> jvmOptions, String classPath, String mainClass, List<String> serviceArguments) {
        public Launch {
            jvmOptions = List.copyOf(jvmOptions);
            serviceArguments = List.copyOf(serviceArguments);
        }
    }

    /**
     * @param sendFor how long senders start new series
     * @param seriesInterval each sender starts a series this often (senders are spread over the interval)
     * @param workerKillEvery a SIGKILL of the worker, then a restart on its state folder, this often
     * @param brokerRestartEvery a stop and start of the broker on the same port and data, this often
     * @param drainTimeout longest wait after sending for every series to be answered
     */
    public record Plan(Duration sendFor, int senders, int slices, int matrix, Duration seriesInterval,
                       Duration workerKillEvery, Duration brokerRestartEvery, Duration drainTimeout, Path workDir) {
        public Plan {
            if (senders < 1) {
                throw new IllegalArgumentException("senders must be at least 1: " + senders);
            }
            if (slices < 1 || slices > PhantomSpec.MAX_SLICES) {
                throw new IllegalArgumentException("slices must be 1.." + PhantomSpec.MAX_SLICES + ": " + slices);
            }
            if (matrix < PhantomSpec.MIN_MATRIX || matrix > PhantomSpec.MAX_MATRIX) {
                throw new IllegalArgumentException("matrix must be " + PhantomSpec.MIN_MATRIX + ".." + PhantomSpec.MAX_MATRIX + ": " + matrix);
            }
        }
    }

    /** Heap of the children: the worker as the launcher's default allows an analysis, the ingest holds one instance per association. */
    private static final List<String> WORKER_JVM = List.of("-Xms256m", "-Xmx2g");
    private static final List<String> INGEST_JVM = List.of("-Xms128m", "-Xmx512m");
    private static final int DISTINCT_PHANTOMS = 4;
    private static final int SEND_ATTEMPTS = 8;
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(5);
    /** After every series is answered, keep reading this long: a second result would show up now. */
    private static final Duration QUIET_AFTER_DRAIN = Duration.ofSeconds(20);

    /** Runs the soak and prints its figures; true when the done condition held. */
    public static boolean run(Plan plan, Launch launch, IchConfig config, PrintStream out) throws Exception {
        Files.createDirectories(plan.workDir());
        out.printf(Locale.ROOT, "soak: %s of sending, %d senders, one %d-slice %dx%d series per sender every %d s, worker kill -9 every %s,"
                        + " broker restart every %s, drain up to %s, %d CPUs; work folder %s%n",
                human(plan.sendFor()), plan.senders(), plan.slices(), plan.matrix(), plan.matrix(), plan.seriesInterval().toSeconds(),
                human(plan.workerKillEvery()), human(plan.brokerRestartEvery()), human(plan.drainTimeout()),
                Runtime.getRuntime().availableProcessors(), plan.workDir());
        List<Phantom> phantoms = phantoms(plan);
        Path kafkaData = plan.workDir().resolve("kafka");
        EmbeddedKafka broker = new EmbeddedKafka(kafkaData, "127.0.0.1", 0).start();
        String bootstrap = broker.bootstrapServers();
        int brokerPort = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
        KafkaConnection kafka = new KafkaConnection(bootstrap, config.kafka());
        try (Admin admin = kafka.admin()) {
            TopicCatalog.ensureTopics(admin, config.topics());
            // as `run` sets it on its embedded broker: a Success means the instance is on disk
            TopicCatalog.syncInstancesBeforeAck(admin, true);
        }
        int dicomPort = EmbeddedKafka.freePort("127.0.0.1");
        ServiceProcess ingest = new ServiceProcess("ingest", Files.createDirectories(plan.workDir().resolve("ingest")),
                withJvm(launch, INGEST_JVM), List.of("--dicom-port", Integer.toString(dicomPort)));
        ServiceProcess worker = new ServiceProcess("worker", Files.createDirectories(plan.workDir().resolve("worker")),
                withJvm(launch, WORKER_JVM), List.of());
        SoakTally tally = new SoakTally();
        Events events = new Events();
        try {
            out.printf(Locale.ROOT, "soak: ingest ready in %d ms, worker ready in %d ms (broker %s)%n",
                    ingest.start(bootstrap), worker.start(bootstrap), bootstrap);
            long t0 = System.currentTimeMillis();
            long sendUntil = t0 + plan.sendFor().toMillis();
            ConcurrentLinkedQueue<SoakTally.Acknowledged> acks = new ConcurrentLinkedQueue<>();
            List<Thread> senders = new ArrayList<>();
            List<Sender> senderStates = new ArrayList<>();
            for (int i = 0; i < plan.senders(); i++) {
                long firstAt = t0 + plan.seriesInterval().toMillis() * i / plan.senders();
                Sender s = new Sender(i + 1, plan, phantoms, dicomPort, config.dicom().aeTitle(), firstAt, sendUntil, acks,
                        plan.workDir().resolve("send-" + (i + 1)));
                senderStates.add(s);
                Thread t = new Thread(s, "soak-sender-" + (i + 1));
                t.start();
                senders.add(t);
            }
            long nextKill = t0 + plan.workerKillEvery().toMillis();
            // half a kill interval off the kills, so that a broker restart never waits behind a worker's restart
            long nextBrokerRestart = t0 + plan.brokerRestartEvery().toMillis() + plan.workerKillEvery().toMillis() / 2;
            while (senders.stream().anyMatch(Thread::isAlive)) {
                Thread.sleep(1000);
                long now = System.currentTimeMillis();
                ingest.sampleRss();
                worker.sampleRss();
                restartIfDied(ingest, bootstrap, events, out, t0);
                restartIfDied(worker, bootstrap, events, out, t0);
                if (now < sendUntil && now >= nextKill) {
                    worker.kill();
                    long readyMs = worker.start(bootstrap);
                    events.workerKills++;
                    events.workerReadyAfterKillMs.add(readyMs);
                    out.printf(Locale.ROOT, "soak: t=%ds worker kill -9, ready again in %d ms%n", (now - t0) / 1000, readyMs);
                    nextKill += plan.workerKillEvery().toMillis();
                }
                if (now < sendUntil && now >= nextBrokerRestart) {
                    long s0 = System.nanoTime();
                    broker.close();
                    broker = new EmbeddedKafka(kafkaData, "127.0.0.1", brokerPort).start();
                    long downMs = (System.nanoTime() - s0) / 1_000_000;
                    events.brokerRestarts++;
                    events.brokerDownMs.add(downMs);
                    out.printf(Locale.ROOT, "soak: t=%ds broker restarted, down %d ms%n", (now - t0) / 1000, downMs);
                    nextBrokerRestart += plan.brokerRestartEvery().toMillis();
                }
            }
            acks.forEach(tally::acknowledged);
            int seriesStarted = senderStates.stream().mapToInt(s -> s.seriesStarted).sum();
            int refused = senderStates.stream().mapToInt(s -> s.refusedResponses).sum();
            int brokenAssociations = senderStates.stream().mapToInt(s -> s.brokenAssociations).sum();
            int gaveUp = senderStates.stream().mapToInt(s -> s.instancesGivenUp).sum();
            out.printf(Locale.ROOT, "soak: sending done after %d s: %d series started, %d instances acknowledged, %d refusals"
                            + " and %d broken associations retried, %d instances given up after %d attempts%n",
                    (System.currentTimeMillis() - t0) / 1000, seriesStarted, acks.size(), refused, brokenAssociations, gaveUp, SEND_ATTEMPTS);
            long drainStart = System.currentTimeMillis();
            drain(plan, kafka, acks, ingest, worker);
            out.printf(Locale.ROOT, "soak: drained in %d s%n", (System.currentTimeMillis() - drainStart) / 1000);
            try (TopicReader reader = new TopicReader(kafka)) {
                reader.visitAll(Topics.INSTANCES, r -> {
                    String sop = header(r.headers().lastHeader(InstanceHeaders.SOP_INSTANCE_UID));
                    if (sop != null) {
                        tally.onInstanceTopic(sop);
                    }
                });
                readAnswers(reader, tally);
            }
            SoakTally.Report report = tally.report();
            long benchPeak = MemoryBenchmark.statusKb("VmHWM");
            print(report, events, ingest, worker, benchPeak, out);
            return report.passed();
        } finally {
            worker.close();
            ingest.close();
            broker.close();
        }
    }

    /** Waits until every series with an acknowledged instance has a result or a dead letter, then a quiet time more. */
    private static void drain(Plan plan, KafkaConnection kafka, ConcurrentLinkedQueue<SoakTally.Acknowledged> acks,
                                          ServiceProcess ingest, ServiceProcess worker) throws InterruptedException {
        long deadline = System.currentTimeMillis() + plan.drainTimeout().toMillis();
        while (System.currentTimeMillis() < deadline) {
            SoakTally answers = new SoakTally();
            acks.forEach(answers::acknowledged);
            try (TopicReader reader = new TopicReader(kafka)) {
                readAnswers(reader, answers);
            }
            if (answers.report().unanswered().isEmpty()) {
                break;
            }
            ingest.sampleRss();
            worker.sampleRss();
            Thread.sleep(5000);
        }
        Thread.sleep(QUIET_AFTER_DRAIN.toMillis());
        worker.sampleRss();
    }

    private static void readAnswers(TopicReader reader, SoakTally tally) {
        reader.visitAll(Topics.RESULTS, r -> {
            ResultEvent e = EventJson.fromBytes(r.value(), ResultEvent.class);
            tally.result(new SoakTally.ResultSeen(e.seriesInstanceUid(), e.revision(), r.timestamp()));
        });
        reader.visitAll(Topics.DEADLETTER, r -> {
            DeadLetter d = EventJson.fromBytes(r.value(), DeadLetter.class);
            if (d.seriesInstanceUid() != null) {
                tally.deadLetter(new SoakTally.DeadLetterSeen(d.seriesInstanceUid(), d.revision(), d.reason()));
            }
        });
    }

    private static void restartIfDied(ServiceProcess p, String bootstrap, Events events, PrintStream out, long t0)
            throws IOException, InterruptedException {
        if (p.alive()) {
            return;
        }
        events.unexpectedExits++;
        out.printf(Locale.ROOT, "soak: t=%ds %s exited by itself with %d (see %s); restarting it%n",
                (System.currentTimeMillis() - t0) / 1000, p.role(), p.exitValue(), p.log());
        p.start(bootstrap);
    }

    /** What the run did to the service, for the report. */
    private static final class Events {
        int workerKills;
        int brokerRestarts;
        int unexpectedExits;
        final List<Long> workerReadyAfterKillMs = new ArrayList<>();
        final List<Long> brokerDownMs = new ArrayList<>();
    }

    private static void print(SoakTally.Report r, Events events, ServiceProcess ingest, ServiceProcess worker, long benchPeakKb,
                              PrintStream out) {
        out.printf(Locale.ROOT, "soak: instances acknowledged %d, on %s %d distinct (%d of them never acknowledged), LOST %d%s%n",
                r.acknowledged(), Topics.INSTANCES, r.distinctOnTopic(), r.notAcknowledgedOnTopic(), r.lost().size(),
                r.lost().isEmpty() ? "" : " e.g. " + r.lost().subList(0, Math.min(5, r.lost().size())));
        out.printf(Locale.ROOT, "soak: duplicates on %s: %d instances present more than once (%d extra copies)%n",
                Topics.INSTANCES, r.duplicatedInstances(), r.extraInstanceCopies());
        out.printf(Locale.ROOT, "soak: series sent %d, with a result %d, answered by dead letters only %d, unanswered %d%s%n",
                r.seriesSent(), r.seriesWithResult(), r.seriesDeadLetterOnly(), r.unanswered().size(),
                r.unanswered().isEmpty() ? "" : " " + r.unanswered().subList(0, Math.min(5, r.unanswered().size())));
        out.printf(Locale.ROOT, "soak: dead letters by reason: %s%n", r.deadLetterReasons().isEmpty() ? "none" : r.deadLetterReasons());
        out.printf(Locale.ROOT, "soak: results per series revision: %d revisions with a result, %d with more than one%s%n",
                r.revisionsWithResult(), r.revisionsWithSeveralResults().size(),
                r.revisionsWithSeveralResults().isEmpty() ? "" : " " + r.revisionsWithSeveralResults());
        out.printf(Locale.ROOT, "soak: latency last acknowledged instance -> result record: p50 %d ms, p95 %d ms, max %d ms over %d series%n",
                r.latency().p50Ms(), r.latency().p95Ms(), r.latency().maxMs(), r.latency().series());
        out.printf(Locale.ROOT, "soak: peak RSS (VmHWM): ingest %d MiB over %d processes, worker %d MiB over %d processes,"
                        + " this process (broker + senders) %d MiB%n",
                ingest.peakRssKb() / 1024, ingest.starts(), worker.peakRssKb() / 1024, worker.starts(), benchPeakKb / 1024);
        out.printf(Locale.ROOT, "soak: worker kill -9: %d (ready again after %s ms), broker restarts: %d (down %s ms), unexpected exits: %d%n",
                events.workerKills, events.workerReadyAfterKillMs, events.brokerRestarts, events.brokerDownMs, events.unexpectedExits);
        out.println(r.passed() ? "soak: PASSED: no acknowledged instance lost, every series answered, no revision answered twice"
                : "soak: FAILED: " + String.join(", ", failures(r)));
    }

    private static List<String> failures(SoakTally.Report r) {
        List<String> f = new ArrayList<>();
        if (!r.lost().isEmpty()) {
            f.add(r.lost().size() + " acknowledged instances lost");
        }
        if (!r.unanswered().isEmpty()) {
            f.add(r.unanswered().size() + " series without a result or dead letter");
        }
        if (!r.revisionsWithSeveralResults().isEmpty()) {
            f.add(r.revisionsWithSeveralResults().size() + " revisions with more than one result");
        }
        return f;
    }

    private static String header(Header h) {
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static Launch withJvm(Launch launch, List<String> heap) {
        List<String> jvm = new ArrayList<>(heap);
        jvm.addAll(launch.jvmOptions());
        return new Launch(launch.javaBin(), jvm, launch.classPath(), launch.mainClass(), launch.serviceArguments());
    }

    /** A few heads, with and without a clot, generated once: each series reuses the pixels under new UIDs. */
    private static List<Phantom> phantoms(Plan plan) {
        List<Phantom> out = new ArrayList<>();
        for (int i = 0; i < DISTINCT_PHANTOMS; i++) {
            PhantomSpec base = i % 2 == 0 ? PhantomSpec.withHemorrhage(500 + i) : PhantomSpec.normal(500 + i);
            double spacing = Math.min(2.0, 230.0 / plan.matrix());
            out.add(HeadPhantom.generate(new PhantomSpec(base.seed(), plan.matrix(), plan.slices(), spacing,
                    PhantomSpec.DEFAULT_STEP_MM, base.lesions(), base.hardNegatives())));
        }
        return out;
    }

    private static String human(Duration d) {
        return d.toSeconds() % 60 == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }

    /**
     * One modality: a series every interval over one association, its instances retried (as a modality's
     * queue does) when refused or when the association breaks, up to SEND_ATTEMPTS times.
     */
    private static final class Sender implements Runnable {
        private final int index;
        private final Plan plan;
        private final List<Phantom> phantoms;
        private final int port;
        private final String calledAet;
        private final long firstAt;
        private final long sendUntil;
        private final ConcurrentLinkedQueue<SoakTally.Acknowledged> acks;
        private final Path folder;
        volatile int seriesStarted;
        volatile int refusedResponses;
        volatile int brokenAssociations;
        volatile int instancesGivenUp;
        private static final AtomicInteger SERIES_NUMBER = new AtomicInteger();

        Sender(int index, Plan plan, List<Phantom> phantoms, int port, String calledAet, long firstAt, long sendUntil,
               ConcurrentLinkedQueue<SoakTally.Acknowledged> acks, Path folder) {
            this.index = index;
            this.plan = plan;
            this.phantoms = phantoms;
            this.port = port;
            this.calledAet = calledAet;
            this.firstAt = firstAt;
            this.sendUntil = sendUntil;
            this.acks = acks;
            this.folder = folder;
        }

        @Override
        public void run() {
            try {
                long next = firstAt;
                while (next < sendUntil) {
                    Thread.sleep(Math.max(0, next - System.currentTimeMillis()));
                    sendOneSeries();
                    next += plan.seriesInterval().toMillis();
                    // a sender that fell behind skips the slots it missed instead of bursting
                    while (next < System.currentTimeMillis()) {
                        next += plan.seriesInterval().toMillis();
                    }
                }
            } catch (Exception e) {
                System.err.println("soak: sender " + index + " stopped: " + e);
            }
        }

        private void sendOneSeries() throws IOException, DicomException, InterruptedException {
            int n = SERIES_NUMBER.incrementAndGet();
            Phantom phantom = phantoms.get(n % phantoms.size());
            CtSeriesWriter.StudyIdentity id = CtSeriesWriter.StudyIdentity.random("SOAK" + n);
            Path dir = Files.createDirectories(folder.resolve("series"));
            List<Part10Input> pending = new ArrayList<>();
            List<byte[]> instances = phantom.toDicom(id, false);
            for (int k = 0; k < instances.size(); k++) {
                Path f = Files.write(dir.resolve(k + ".dcm"), instances.get(k));
                pending.add(Part10Input.read(f, DicomLimits.DEFAULT));
            }
            seriesStarted++;
            for (int attempt = 1; attempt <= SEND_ATTEMPTS && !pending.isEmpty(); attempt++) {
                if (attempt > 1) {
                    Thread.sleep(RETRY_PAUSE.toMillis());
                }
                pending = sendOnce(id.seriesInstanceUid(), pending);
            }
            instancesGivenUp += pending.size();
        }

        /** Sends over one association; returns the instances not acknowledged. */
        private List<Part10Input> sendOnce(String seriesUid, List<Part10Input> objects) {
            List<Part10Input> left = new ArrayList<>(objects);
            Set<String> classes = Set.of(objects.get(0).sopClassUid());
            Set<String> syntaxes = Set.of(objects.get(0).transferSyntaxUid());
            try (DicomClient c = DicomClient.connect(ScuConfig.of("127.0.0.1", port, calledAet, "SOAK" + index),
                    DicomClient.propose(classes, syntaxes))) {
                for (Part10Input o : objects) {
                    StoreStatus st = c.store(o.sopClassUid(), o.sopInstanceUid(), o.transferSyntaxUid(), o.bytes(),
                            o.datasetOffset(), o.datasetLength());
                    if (st.isSuccess()) {
                        acks.add(new SoakTally.Acknowledged(o.sopInstanceUid(), seriesUid, System.currentTimeMillis()));
                        left.remove(o);
                    } else {
                        refusedResponses++;
                    }
                }
            } catch (IOException e) {
                brokenAssociations++;
            }
            return left;
        }
    }
}
