package org.ichtriage.cli;

import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.ichtriage.UserError;
import org.ichtriage.config.IchConfig;
import org.ichtriage.config.PacsDestination;
import org.ichtriage.forward.ForwardRetry;
import org.ichtriage.forward.PacsForwarder;
import org.ichtriage.kafka.KafkaConnection;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "forward", mixinStandardHelpOptions = true,
        description = {"Re-deliver what the PACS forwarder gave up on: every derived object whose last word on ich.forwarding.v1",
                "or ich.deadletter.v1 (stage FORWARD) for a destination is a failure, with no SENT since. Each object is read",
                "from ich.seg.v1 and sent by C-STORE with the forwarder's settings (forward.max-attempts, forward.backoff-ms,",
                "forward.tls); each outcome is written to ich.forwarding.v1 as SENT or FAILED, so running it again sends only",
                "what is still owed. No consumer group is used: the forwarder's offsets are not touched."},
        footer = {"", "Examples:", "  ich-triage forward --retry --dry-run",
                "  ich-triage forward --retry --series 1.2.826.0.1.3680043.2.1125.1 --destination PACS@pacs.example.org:104",
                "  ich-triage forward --retry --set forward.max-attempts=1 --bootstrap-servers kafka-1:9092",
                "", "Exit status: 0 every owed object was stored (or nothing was owed, or --dry-run), 1 some object failed again",
                "or is no longer on ich.seg.v1, 2 a bad option, no destination configured, or no Kafka."})
public final class ForwardCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Option(names = "--retry", required = true, description = "re-deliver what the forwarder gave up on (the one action of this command)")
    boolean retry;

    @Option(names = "--dry-run", description = "list what would be sent, send nothing, write nothing")
    boolean dryRun;

    @Option(names = "--series", paramLabel = "UID", description = "only objects of this SeriesInstanceUID")
    String series;

    @Option(names = "--destination", paramLabel = "NAME",
            description = "only this destination of forward.destinations, as AE@host:port or its AE title")
    String destination;

    @Override
    public Integer call() {
        if (series != null && (!series.matches("[0-9]+(\\.[0-9]+)*") || series.length() > 64)) {
            throw new UserError("--series: '" + series + "' is not a SeriesInstanceUID (digits and dots, at most 64 characters)");
        }
        IchConfig config = options.load(Map.of());
        if (config.forward().destinations().isEmpty()) {
            throw new UserError("forward.destinations is empty: set it as the forwarder has it (ICH_FORWARD_DESTINATIONS, --set or --config)");
        }
        KafkaConnection kafka = KafkaConnection.answering(config.kafka());
        ForwardRetry retrier = new ForwardRetry(kafka.clientProperties(), config.forward(), config.dicom().aeTitle(),
                PacsForwarder.Topics.defaults(), Clock.systemUTC());
        return retry(retrier, series, destination, dryRun, System.out);
    }

    /** Plans, prints and (unless a dry run) sends; public for the forwarder tests, which use topics of their own. */
    public static int retry(ForwardRetry retrier, String series, String destinationName, boolean dryRun, PrintStream out) {
        String destination = null;
        if (destinationName != null) {
            PacsDestination d = retrier.destination(destinationName);
            if (d == null) {
                throw new UserError("--destination: '" + destinationName
                        + "' names no single destination of forward.destinations (AE@host:port or a unique AE title)");
            }
            destination = d.toString();
        }
        List<ForwardRetry.Planned> plan = retrier.plan(new ForwardRetry.Filter(series, destination));
        if (plan.isEmpty()) {
            out.println("nothing to re-send: no object is owed to a destination" + (series == null ? "" : " for series " + series));
            return 0;
        }
        long blocked = plan.stream().filter(p -> p.obstacle() != null).count();
        if (dryRun) {
            plan.forEach(p -> out.println((p.obstacle() == null ? "would send " : "") + p.describe()));
            out.printf("%d object(s) would be sent, %d cannot be (dry run: nothing sent)%n", plan.size() - blocked, blocked);
            return 0;
        }
        plan.stream().filter(p -> p.obstacle() != null).forEach(p -> out.println(p.describe()));
        List<ForwardRetry.Outcome> outcomes = retrier.deliver(plan, o -> out.println(o.describe()));
        long sent = outcomes.stream().filter(o -> o.status() == org.ichtriage.events.ForwardingStatus.Status.SENT).count();
        out.printf("%d sent, %d failed again, %d cannot be sent%n", sent, outcomes.size() - sent, plan.size() - outcomes.size());
        return sent == plan.size() ? 0 : 1;
    }
}
