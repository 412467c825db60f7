package org.ichtriage.config;

/** A PACS the forwarder sends results to, written AE@host:port in the configuration. */
public record PacsDestination(String aeTitle, String host, int port) {
    @Override
    public String toString() {
        return aeTitle + "@" + host + ":" + port;
    }
}
