package org.ichtriage.dicom.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Our own SCU against the listener on loopback: one sender, or held associations, cannot take the pool. */
class AssociationLimitsTest {
    private static final List<PresentationContextRq> ECHO = DicomClient.propose(List.of(DicomUids.VERIFICATION),
            List.of(DicomUids.IMPLICIT_VR_LE));
    private static final AssociateRj BUSY = new AssociateRj(AssociateRj.TRANSIENT, AssociateRj.SOURCE_PRESENTATION,
            AssociateRj.REASON_LOCAL_LIMIT_EXCEEDED);

    private static DicomClient connect(DicomServer s, String callingAe) throws IOException {
        return DicomClient.connect(ScuConfig.of("127.0.0.1", s.port(), "ICHTRIAGE", callingAe)
                .withResponseTimeout(Duration.ofSeconds(10)), ECHO);
    }

    @Test
    void oneCallingAeHoldsAtMostItsShareOfThePool() throws Exception {
        try (DicomServer s = DicomServer.start(ScpConfig.defaults().withPort(0).withMaxAssociations(8)
                .withMaxAssociationsPerAe(2), req -> StoreStatus.OK)) {
            List<DicomClient> held = new ArrayList<>();
            try {
                held.add(connect(s, "HOG"));
                held.add(connect(s, "HOG"));
                AssociationRejectedException e = assertThrows(AssociationRejectedException.class, () -> connect(s, "HOG"));
                assertEquals(BUSY, e.rejection(), "transient: the sender may retry once it frees one");
                try (DicomClient other = connect(s, "CT1")) {
                    assertEquals(0, other.echo(), "another sender is still served");
                    other.release();
                }
                held.remove(0).release();
                DicomClient again = null;
                long deadline = System.currentTimeMillis() + 10_000;
                while (again == null && System.currentTimeMillis() < deadline) {
                    try {
                        again = connect(s, "HOG"); // the released slot comes back once the server has closed it
                    } catch (AssociationRejectedException notYet) {
                        Thread.sleep(50);
                    }
                }
                assertTrue(again != null, "a released association frees the AE's slot");
                held.add(again);
                assertEquals(0, again.echo());
            } finally {
                for (DicomClient c : held) {
                    c.abort();
                }
            }
        }
    }

    @Test
    void anIdleAssociationIsAbortedAndGivesItsPlaceBack() throws Exception {
        try (DicomServer s = DicomServer.start(ScpConfig.defaults().withPort(0).withMaxAssociations(1)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1)), req -> StoreStatus.OK)) {
            DicomClient idle = connect(s, "HOLDER");
            try {
                assertThrows(AssociationRejectedException.class, () -> connect(s, "CT1"), "the pool of one is taken");
                long deadline = System.currentTimeMillis() + 15_000;
                while (s.activeAssociations() > 0 && System.currentTimeMillis() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals(0, s.activeAssociations(), "aborted after the idle timeout");
                assertThrows(IOException.class, idle::echo, "the held association is gone");
                try (DicomClient next = connect(s, "CT1")) {
                    assertEquals(0, next.echo());
                    next.release();
                }
            } finally {
                idle.abort();
            }
        }
    }
}
