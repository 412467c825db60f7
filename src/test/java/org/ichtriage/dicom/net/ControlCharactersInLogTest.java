package org.ichtriage.dicom.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A hostile calling AE title reaches the log with every control character escaped. */
class ControlCharactersInLogTest {

    @Test
    void everyControlCharacterIsEscapedAndBackslashesDoubled() {
        assertEquals("EVIL\\x1B[2J\\x07\\x00\\x7F\\x9B\\\\x1B", LogSafe.text("EVIL\u001b[2J\u0007\u0000\u007f\u009b\\x1B"));
        assertEquals("MODALITY_1", LogSafe.text("MODALITY_1"));
        assertEquals("A\\x0AB\\x0DC\\x09", LogSafe.text("A\nB\rC\t"));
    }

    @Test
    void aCallingAeWithEscapeSequencesIsLoggedEscaped() throws Exception {
        Logger log = (Logger) LoggerFactory.getLogger(ScpAssociation.class);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        log.addAppender(seen);
        ScpConfig cfg = ScpConfig.defaults().withPort(0).withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5));
        try (DicomServer server = DicomServer.start(cfg, req -> StoreStatus.OK)) {
            for (String called : List.of("WRONG\u001b[1m", "ICHTRIAGE")) {
                try (Socket s = new Socket("127.0.0.1", server.port())) {
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write(Pdus.encodeAssociateRq(new AssociateRq(called, "EV\u001b[2J\u0007\n", Pdus.APPLICATION_CONTEXT,
                            DicomClient.propose(List.of(DicomUids.VERIFICATION), List.of(DicomUids.IMPLICIT_VR_LE)),
                            new UserInfo(16384, Pdus.IMPLEMENTATION_CLASS_UID, Pdus.IMPLEMENTATION_VERSION))));
                    s.getOutputStream().flush();
                    Pdus.read(s.getInputStream(), 1 << 20);
                    s.getOutputStream().write(Pdus.releaseRq());
                } catch (IOException e) {
                    // the server may close first
                }
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (seen.list.stream().noneMatch(e -> e.getFormattedMessage().contains("accepted")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } finally {
            log.detachAppender(seen);
        }
        List<String> lines = seen.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("association from")).toList();
        assertTrue(lines.stream().anyMatch(m -> m.contains("rejected") && m.contains("EV\\x1B[2J\\x07\\x0A") && m.contains("WRONG\\x1B[1m")), lines.toString());
        assertTrue(lines.stream().anyMatch(m -> m.contains("accepted") && m.contains("EV\\x1B[2J\\x07\\x0A")), lines.toString());
        for (String m : lines) {
            assertFalse(m.chars().anyMatch(c -> c < 0x20 || (c >= 0x7F && c <= 0x9F)), "raw control character in: " + m);
        }
    }
}
