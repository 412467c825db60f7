package org.ichtriage.service;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.ichtriage.alerts.AlertDelivery;
import org.ichtriage.alerts.AlertSettings;
import org.ichtriage.alerts.Channel;
import org.ichtriage.alerts.fhir.FhirBundleBuilder;
import org.ichtriage.alerts.fhir.FhirChannel;
import org.ichtriage.alerts.hl7.MllpChannel;
import org.ichtriage.alerts.hl7.OruMessageBuilder;
import org.ichtriage.alerts.webhook.WebhookChannel;

import io.micrometer.core.instrument.MeterRegistry;

/** Builds the configured alert outputs; each is off unless its destination is set. */
public final class Alerts {
    public enum Output { HL7, FHIR, WEBHOOK }

    private Alerts() {}

    /** The deliveries of the outputs asked for that are configured, not yet started, each in its own group. */
    public static List<AlertDelivery> create(AlertSettings s, List<Output> outputs, Properties kafkaClient, MeterRegistry registry,
                                             String softwareVersion, AlertDelivery.Topics topics, Clock clock) {
        List<AlertDelivery> out = new ArrayList<>();
        String board = s.boardUrl().orElse(null);
        if (outputs.contains(Output.HL7) && s.hl7().isPresent()) {
            AlertSettings.Hl7 h = s.hl7().get();
            Channel c = new MllpChannel(h.destinations(), h.tls(), h.ackTimeoutMs(), new OruMessageBuilder(new OruMessageBuilder.Options(
                    h.patientIdentity(), h.sendingFacility(), h.receivingApplication(), h.receivingFacility(), board)), clock);
            out.add(delivery(c, h.rule(), s, kafkaClient, registry, softwareVersion, topics, clock));
        }
        if (outputs.contains(Output.FHIR) && s.fhir().isPresent()) {
            AlertSettings.Fhir f = s.fhir().get();
            Channel c = new FhirChannel(f.baseUrl(), f.bearerToken(), new FhirBundleBuilder(board), clock);
            out.add(delivery(c, f.rule(), s, kafkaClient, registry, softwareVersion, topics, clock));
        }
        if (outputs.contains(Output.WEBHOOK) && s.webhook().isPresent()) {
            AlertSettings.Webhook w = s.webhook().get();
            Channel c = new WebhookChannel(w.urls(), w.secret(), w.body(), board, clock);
            out.add(delivery(c, w.rule(), s, kafkaClient, registry, softwareVersion, topics, clock));
        }
        return out;
    }

    private static AlertDelivery delivery(Channel c, AlertSettings.Rule rule, AlertSettings s, Properties kafkaClient,
                                          MeterRegistry registry, String softwareVersion, AlertDelivery.Topics topics, Clock clock) {
        return new AlertDelivery(kafkaClient, c, rule.newRule(), s.maxAttempts(), s.backoffMs(), AlertDelivery.GROUP_PREFIX + c.name(),
                topics, registry, softwareVersion, clock);
    }
}
