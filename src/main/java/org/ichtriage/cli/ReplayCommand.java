package org.ichtriage.cli;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.ichtriage.config.IchConfig;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import org.ichtriage.audit.Replay;
import org.ichtriage.kafka.KafkaConnection;
import org.ichtriage.UserError;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Re-run the analysis of the instances received between two times, with the current or a named model,",
                "under a fresh application id. New results go to ich.results.replay.v1 (never to the live topics), then each",
                "series is compared with its original result on ich.results.v1. Exit 0 when every series MATCHes, 1 otherwise.",
                "Design: docs/decisions/replay.md."},
        footer = {"", "Examples:",
                "  ich-triage replay --from 2030-03-04T08:00:00Z --to 2030-03-04T09:00:00Z",
                "  ich-triage replay --from 2030-03-04T08:00:00+01:00 --to 2030-03-04T08:30:00+01:00 --series 1.2.826.0.1.3680043.2.1125.1",
                "  ich-triage replay --from 2030-03-04T08:00:00Z --to 2030-03-05T08:00:00Z --model models/slexnet-ich.onnx"})
final class ReplayCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Option(names = "--from", required = true, paramLabel = "TIME", description = "start of the range (ISO-8601 with offset), inclusive")
    String from;

    @Option(names = "--to", required = true, paramLabel = "TIME", description = "end of the range (ISO-8601 with offset), exclusive")
    String to;

    @Option(names = "--series", paramLabel = "UID", description = "only this Series Instance UID")
    String series;

    @Option(names = "--model", paramLabel = "PATH", description = "model (.onnx with its card beside it); default model.path")
    String model;

    @Option(names = "--timeout-s", defaultValue = "600", description = "give up when the results take longer (default ${DEFAULT-VALUE})")
    long timeoutS;

    @Override
    public Integer call() throws Exception {
        Map<String, String> extra = new LinkedHashMap<>();
        if (model != null) {
            extra.put("model.path", model);
        }
        IchConfig config = options.load(extra);
        Instant start = time("--from", from);
        Instant end = time("--to", to);
        if (!end.isAfter(start)) {
            throw new UserError("--to " + to + " is not after --from " + from);
        }
        Replay.Outcome outcome = new Replay(config, KafkaConnection.answering(config.kafka()), System.out)
                .run(new Replay.Request(start, end, Optional.ofNullable(series), timeoutS * 1000));
        return outcome.allMatch() ? 0 : 1;
    }

    static Instant time(String option, String value) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new UserError(option + " " + value + " is not an ISO-8601 time with offset, e.g. 2030-03-04T08:00:00Z");
        }
    }
}
