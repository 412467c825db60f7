package org.ichtriage.config;

import java.util.List;

/** How the PACS forwarder sends: where to, how often to try, how long to wait between tries, TLS or not. */
public record ForwardSettings(List<PacsDestination> destinations, int maxAttempts, long backoffMs, boolean tls) {
    public ForwardSettings {
        destinations = List.copyOf(destinations);
    }

    public List<String> destinationNames() {
        return destinations.stream().map(PacsDestination::toString).toList();
    }
}
