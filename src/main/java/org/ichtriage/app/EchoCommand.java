package org.ichtriage.app;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import org.ichtriage.dicom.net.DicomClient;
import org.ichtriage.dicom.net.DicomUids;
import org.ichtriage.dicom.net.ScuConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "echo", mixinStandardHelpOptions = true,
        description = "Check a DICOM peer with C-ECHO (Verification).",
        footer = {"", "Example:", "  ich-triage echo --host 127.0.0.1 --port 11112 --aet ICHTRIAGE"})
public final class EchoCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "peer host (default ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "11112", description = "peer port (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--aet", defaultValue = "ICHTRIAGE", description = "called AE title (default ${DEFAULT-VALUE})")
    String calledAet;

    @Option(names = "--calling-aet", defaultValue = "ICHSEND", description = "our AE title (default ${DEFAULT-VALUE})")
    String callingAet;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        try (DicomClient c = DicomClient.connect(ScuConfig.of(host, port, calledAet, callingAet),
                DicomClient.propose(List.of(DicomUids.VERIFICATION), List.of(DicomUids.IMPLICIT_VR_LE)))) {
            int status = c.echo();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (status != 0) {
                System.out.printf("C-ECHO to %s@%s:%d: status %04X (%d ms)%n", calledAet, host, port, status, ms);
                return 1;
            }
            System.out.printf("C-ECHO to %s@%s:%d: Success (%d ms)%n", calledAet, host, port, ms);
            return 0;
        } catch (IOException e) {
            throw new Main.UserError("C-ECHO to " + calledAet + "@" + host + ":" + port + " failed: " + e.getMessage());
        }
    }
}
