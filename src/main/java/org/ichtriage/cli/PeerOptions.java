package org.ichtriage.cli;

import picocli.CommandLine.Option;

/** The DICOM peer of `send` and `echo`: where it listens and the AE titles on both sides. */
final class PeerOptions {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "peer host (default ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "11112", description = "peer port (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--aet", defaultValue = "ICHTRIAGE", description = "called AE title (default ${DEFAULT-VALUE})")
    String calledAet;

    @Option(names = "--calling-aet", defaultValue = "ICHSEND", description = "our AE title (default ${DEFAULT-VALUE})")
    String callingAet;

    @Override
    public String toString() {
        return calledAet + "@" + host + ":" + port;
    }
}
