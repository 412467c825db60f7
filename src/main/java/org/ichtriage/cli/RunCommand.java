package org.ichtriage.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.ichtriage.config.IchConfig;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import org.ichtriage.service.IchTriageService;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Start the service: the DICOM listener, the pipeline, the forwarder and the alert outputs that the role",
                "names, and /health. With no Kafka configured, a single-node broker runs inside this process on 127.0.0.1:9092,",
                "with its data under the state folder."},
        footer = {"", "Examples:", "  ich-triage run",
                "  ich-triage run --role worker --bootstrap-servers kafka-1:9092,kafka-2:9092",
                "  ich-triage run --set dicom.port=11113 --set http.port=8081",
                "  ich-triage run --demo --demo-out /tmp/demo     # then open http://127.0.0.1:8080/ui/"})
final class RunCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Option(names = "--role", paramLabel = "ROLE", description = "all, ingest, worker, forwarder, board, alerts-hl7, alerts-fhir or alerts-webhook (default all)")
    String role;

    @Option(names = "--http-port", paramLabel = "PORT", description = "port of /health and /metrics (default 8080)")
    Integer httpPort;

    @Option(names = "--dicom-port", paramLabel = "PORT", description = "port of the DICOM listener (default 11112)")
    Integer dicomPort;

    @Option(names = "--demo", description = {"send a synthetic head CT with a known hemorrhage to this service, print the result event,",
            "write the SEG and key-image PNGs to --demo-out, then keep serving the board at /ui (--demo-exit stops instead)"})
    boolean demo;

    @Option(names = "--demo-out", paramLabel = "DIR", defaultValue = "ich-triage-demo", description = "demo output folder (default ${DEFAULT-VALUE})")
    java.nio.file.Path demoOut;

    @Option(names = "--demo-exit", description = "stop after the demo instead of serving the board")
    boolean demoExit;

    @Option(names = "--demo-seed", defaultValue = "7", description = "phantom seed of the demo (default ${DEFAULT-VALUE})")
    long demoSeed;

    @Override
    public Integer call() throws Exception {
        Map<String, String> extra = new LinkedHashMap<>();
        if (role != null) {
            extra.put("role", role);
        }
        if (httpPort != null) {
            extra.put("http.port", httpPort.toString());
        }
        if (dicomPort != null) {
            extra.put("dicom.port", dicomPort.toString());
        }
        IchConfig config = options.load(extra);
        CountDownLatch stop = new CountDownLatch(1);
        try (IchTriageService service = new IchTriageService(config)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.countDown();
                service.close();
            }, "shutdown"));
            service.start();
            if (demo) {
                new DemoRunner(service, demoOut, System.out).run(demoSeed);
                if (demoExit) {
                    return 0;
                }
                IchConfig.Http http = config.http();
                System.out.printf("demo: see it on the triage board at %s://%s:%d/ui/ (Ctrl-C stops the service)%n",
                        http.tlsKeystore().isPresent() ? "https" : "http", http.bindHost(), service.health().port());
            }
            stop.await();
        }
        return 0;
    }
}
