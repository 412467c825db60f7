package org.ichtriage.cli;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import org.ichtriage.dicom.net.DicomClient;
import org.ichtriage.dicom.net.DicomUids;
import org.ichtriage.dicom.net.ScuConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import org.ichtriage.UserError;

@Command(name = "echo", mixinStandardHelpOptions = true,
        description = "Check a DICOM peer with C-ECHO (Verification).",
        footer = {"", "Example:", "  ich-triage echo --host 127.0.0.1 --port 11112 --aet ICHTRIAGE"})
public final class EchoCommand implements Callable<Integer> {
    @Mixin
    PeerOptions peer;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        try (DicomClient c = DicomClient.connect(ScuConfig.of(peer.host, peer.port, peer.calledAet, peer.callingAet),
                DicomClient.propose(List.of(DicomUids.VERIFICATION), List.of(DicomUids.IMPLICIT_VR_LE)))) {
            int status = c.echo();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (status != 0) {
                System.out.printf("C-ECHO to %s: status %04X (%d ms)%n", peer, status, ms);
                return 1;
            }
            System.out.printf("C-ECHO to %s: Success (%d ms)%n", peer, ms);
            return 0;
        } catch (IOException e) {
            throw new UserError("C-ECHO to " + peer + " failed: " + e.getMessage());
        }
    }
}
