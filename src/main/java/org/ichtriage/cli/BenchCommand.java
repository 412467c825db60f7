package org.ichtriage.cli;

import org.ichtriage.Topics;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.ichtriage.config.IchConfig;
import org.ichtriage.bench.InferenceBenchmark;
import org.ichtriage.bench.MemoryBenchmark;
import org.ichtriage.bench.SoakBenchmark;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.phantom.HeadPhantom;
import org.ichtriage.phantom.Phantom;
import org.ichtriage.phantom.PhantomSpec;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.ResultEvent;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import org.ichtriage.bench.IngestBenchmark;
import org.ichtriage.service.IchTriageService;
import org.ichtriage.service.ModelLocator;
import org.ichtriage.UserError;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmarks that print numbers and ratios (not tests):",
                "  ingest    N 512x512 slices from dcmtk storescu to us (with the Kafka write) vs to dcmtk",
                "            storescp on tmpfs",
                "  inference preprocess + model + postprocess per volume, median of runs, 1 and 2 intra-op",
                "            threads",
                "  pipeline  time from the last C-STORE response to the result event, completion wait",
                "            included (40-slice series)",
                "  memory    peak RSS of one 256x256 analysis per slice count, each in a fresh JVM, at",
                "            model.chunk-slices",
                "  soak      senders against an ingest and a worker process for some minutes, with kill -9 of",
                "            the worker and broker restarts; then acknowledged vs stored instances, results per",
                "            series revision, peak RSS, latency (exit 1 when an acknowledged instance was lost",
                "            or a series was not answered exactly once)"},
        footer = {"", "Examples:", "  ich-triage bench ingest 200", "  ich-triage bench inference 40 512 10",
                "  ich-triage bench memory 40 150 600", "  ich-triage bench ingest 200 3 --set kafka.embedded.sync-instances=false", "  ich-triage bench memory --set model.chunk-slices=0 40 150",
                "  ich-triage bench pipeline 5",
                "  ich-triage bench soak 20 3      # 20 minutes, 3 senders, the defaults below",
                "  ich-triage bench soak 12 3 --kill-worker-every-s 150 --restart-broker-every-s 300"})
final class BenchCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Parameters(index = "0", paramLabel = "WHAT", description = "ingest, inference, pipeline, memory or soak")
    String what;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "ingest: [slices=200] [rounds=3]; inference: [slices=40] [matrix=512] [runs=10]; pipeline: [series=5]; memory: [slice counts=40 150 600]; soak: [minutes=20] [senders=3]")
    List<String> args = new ArrayList<>();

    @Option(names = "--gap-ms", defaultValue = "10000", description = "pipeline: completion gap used for the run (default ${DEFAULT-VALUE}, the service's default)")
    long gapMs;

    @Option(names = "--slices", defaultValue = "24", description = "soak: slices per series (default ${DEFAULT-VALUE}, at most 64)")
    int soakSlices;

    @Option(names = "--matrix", defaultValue = "128", description = "soak: rows and columns of each slice (default ${DEFAULT-VALUE})")
    int soakMatrix;

    @Option(names = "--series-every-s", defaultValue = "30", description = "soak: each sender starts a series this often (default ${DEFAULT-VALUE})")
    long seriesEverySeconds;

    @Option(names = "--kill-worker-every-s", defaultValue = "180", description = "soak: kill -9 of the worker, then a restart on its state folder, this often (default ${DEFAULT-VALUE})")
    long killWorkerEverySeconds;

    @Option(names = "--restart-broker-every-s", defaultValue = "420", description = "soak: stop and start of the broker on its port and data, this often (default ${DEFAULT-VALUE})")
    long restartBrokerEverySeconds;

    @Option(names = "--drain-timeout-s", defaultValue = "300", description = "soak: longest wait after sending for every series to be answered (default ${DEFAULT-VALUE})")
    long drainTimeoutSeconds;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "soak: folder for the broker's data, the state folders and the services' logs (default: a new temporary folder, kept)")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        switch (what) {
            case "ingest" -> {
                IchConfig config = options.load(Map.of());
                List<String> a = new ArrayList<>(args.isEmpty() ? List.of("200", "3") : args.size() == 1 ? List.of(args.get(0), "3") : args);
                a.add(Boolean.toString(config.kafka().embeddedSyncInstances()));
                IngestBenchmark.main(a.toArray(String[]::new));
            }
            case "inference" -> {
                IchConfig config = options.load(Map.of());
                List<String> a = new ArrayList<>();
                a.add(ModelLocator.cardFor(config.model().path()).toString());
                a.addAll(args);
                InferenceBenchmark.main(a.toArray(String[]::new));
            }
            case "pipeline" -> pipeline(args.isEmpty() ? 5 : Integer.parseInt(args.get(0)));
            case "memory" -> {
                IchConfig config = options.load(Map.of());
                List<String> a = new ArrayList<>();
                a.add(ModelLocator.cardFor(config.model().path()).toString());
                a.add(Integer.toString(config.model().chunkSlices()));
                a.addAll(args.isEmpty() ? List.of("40", "150", "600") : args);
                MemoryBenchmark.main(a.toArray(String[]::new));
            }
            case "soak" -> {
                return soak() ? 0 : 1;
            }
            default -> throw new UserError("unknown benchmark '" + what + "'; give ingest, inference, pipeline, memory or soak");
        }
        return 0;
    }

    private boolean soak() throws Exception {
        IchConfig config = options.load(Map.of());
        int minutes = args.isEmpty() ? 20 : positiveArgument(0, "minutes");
        int senders = args.size() < 2 ? 3 : positiveArgument(1, "senders");
        if (soakSlices < 1 || soakSlices > PhantomSpec.MAX_SLICES) {
            throw new UserError("--slices must be 1.." + PhantomSpec.MAX_SLICES + ", got " + soakSlices);
        }
        if (soakMatrix < PhantomSpec.MIN_MATRIX || soakMatrix > PhantomSpec.MAX_MATRIX) {
            throw new UserError("--matrix must be " + PhantomSpec.MIN_MATRIX + ".." + PhantomSpec.MAX_MATRIX + ", got " + soakMatrix);
        }
        if (seriesEverySeconds < 1 || killWorkerEverySeconds < 1 || restartBrokerEverySeconds < 1 || drainTimeoutSeconds < 1) {
            throw new UserError("--series-every-s, --kill-worker-every-s, --restart-broker-every-s and --drain-timeout-s must be at least 1");
        }
        Path card = ModelLocator.cardFor(config.model().path());
        // the children run in their own folders: they get the model by its absolute path, and this command's settings
        List<String> serviceArguments = new ArrayList<>(List.of("--set", "model.path=" + card.resolveSibling(config.model().path().getFileName())));
        if (options.configFile != null) {
            serviceArguments.addAll(List.of("--config", options.configFile.toAbsolutePath().toString()));
        }
        options.set.forEach((k, v) -> serviceArguments.addAll(List.of("--set", k + "=" + v)));
        List<String> jvm = new ArrayList<>();
        if (System.getProperty("ich.home") != null) {
            jvm.add("-Dich.home=" + System.getProperty("ich.home"));
        }
        SoakBenchmark.Launch launch = new SoakBenchmark.Launch(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), jvm,
                System.getProperty("java.class.path"), Main.class.getName(), serviceArguments);
        Path work = workDir != null ? workDir.toAbsolutePath() : Files.createTempDirectory("ich-soak-");
        SoakBenchmark.Plan plan = new SoakBenchmark.Plan(Duration.ofMinutes(minutes), senders, soakSlices, soakMatrix,
                Duration.ofSeconds(seriesEverySeconds), Duration.ofSeconds(killWorkerEverySeconds),
                Duration.ofSeconds(restartBrokerEverySeconds), Duration.ofSeconds(drainTimeoutSeconds), work);
        return SoakBenchmark.run(plan, launch, config, System.out);
    }

    private int positiveArgument(int index, String name) {
        try {
            int v = Integer.parseInt(args.get(index));
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException notANumber) {
            // said below
        }
        throw new UserError("soak: " + name + " must be a whole number of at least 1, got '" + args.get(index) + "'");
    }

    /**
     * Sends 40-slice phantom series without Images in Acquisition one at a time and measures the last
     * C-STORE-RSP to the result, whatever completed the series (the early stack rule or the gap).
     */
    private void pipeline(int series) throws Exception {
        Path state = Files.createTempDirectory("ich-bench-state");
        IchConfig config = options.load(Map.of("state.dir", state.toString(), "kafka.embedded.port", "0", "http.port", "0",
                "dicom.port", "0", "pipeline.completion-gap-ms", Long.toString(gapMs)));
        long[] latencies = new long[series];
        try (IchTriageService service = new IchTriageService(config).start()) {
            Properties p = service.kafka().clientProperties();
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + System.nanoTime());
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
                c.subscribe(List.of(Topics.RESULTS));
                for (int i = 0; i < series; i++) {
                    PhantomSpec base = PhantomSpec.withHemorrhage(100 + i);
                    Phantom ph = HeadPhantom.generate(new PhantomSpec(base.seed(), base.matrix(), 40, base.pixelSpacingMm(), 4.0,
                            base.lesions(), base.hardNegatives()));
                    var id = CtSeriesWriter.StudyIdentity.random("BENCH" + i);
                    Path dir = Files.createTempDirectory("ich-bench-series");
                    List<Path> files = new ArrayList<>();
                    List<byte[]> inst = ph.toDicom(id, false);
                    for (int k = 0; k < inst.size(); k++) {
                        files.add(Files.write(dir.resolve(k + ".dcm"), inst.get(k)));
                    }
                    SendCommand.sendFiles(files, "127.0.0.1", service.dicomPort(), config.dicom().aeTitle(), "BENCH");
                    long lastRsp = System.currentTimeMillis();
                    ResultEvent e = null;
                    while (e == null) {
                        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(50))) {
                            if (id.seriesInstanceUid().equals(r.key())) {
                                e = EventJson.fromBytes(r.value(), ResultEvent.class);
                            }
                        }
                    }
                    latencies[i] = System.currentTimeMillis() - lastRsp;
                    System.out.printf("series %d: %d slices, last C-STORE-RSP to result %d ms, completed by %s (waiting %d ms, analysis %d ms, inference %d ms)%n",
                            i + 1, inst.size(), latencies[i], e.provenance().completionReason(),
                            e.timingsMs().lastReceiveToResult() - e.timingsMs().total(), e.timingsMs().total(), e.timingsMs().inference());
                }
            }
        }
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        System.out.printf("pipeline: last C-STORE-RSP to result, completion wait included: median %d ms, max %d ms over %d series (gap %d ms, target <= 3000 ms)%n",
                sorted[sorted.length / 2], sorted[sorted.length - 1], series, gapMs);
    }
}
