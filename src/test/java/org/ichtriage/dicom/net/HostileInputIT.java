package org.ichtriage.dicom.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile peers at the Upper Layer: each must end in a clean A-ABORT or A-ASSOCIATE-RJ, the
 * server must serve the next association, and what the server threads allocate stays bounded.
 */
class HostileInputIT {
    private static final int MAX_PDU = 16384;
    private final AtomicInteger stores = new AtomicInteger();
    private volatile long storeDelayMs;
    private DicomServer server;

    @BeforeEach
    void start() throws IOException {
        ScpConfig cfg = ScpConfig.defaults().withPort(0).withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5))
                .withLimits(MAX_PDU, 1024 * 1024, 4L * 1024 * 1024);
        server = DicomServer.start(cfg, req -> {
            sleep(storeDelayMs);
            stores.incrementAndGet();
            return StoreStatus.OK;
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ScuConfig scu(String called) {
        return ScuConfig.of("127.0.0.1", server.port(), called, "TESTSCU").withResponseTimeout(Duration.ofSeconds(10));
    }

    private void assertStillServes() throws IOException {
        try (DicomClient c = DicomClient.connect(scu("ICHTRIAGE"),
                DicomClient.propose(List.of(DicomUids.VERIFICATION), List.of(DicomUids.IMPLICIT_VR_LE)))) {
            assertEquals(0, c.echo());
        }
    }

    /** Sends bytes on a raw socket and returns the first PDU the server answers with (null if it just closed). */
    private RawPdu sendRaw(byte[]... chunks) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream o = s.getOutputStream();
            InputStream in = s.getInputStream();
            try {
                for (byte[] c : chunks) {
                    o.write(c);
                }
                o.flush();
            } catch (IOException e) {
                // the server may already have aborted and closed
            }
            RawPdu first = Pdus.read(in, 1 << 20);
            while (first != null && first.type() == Pdus.A_ASSOCIATE_AC) {
                first = Pdus.read(in, 1 << 20);
            }
            return first;
        } catch (java.net.SocketException e) {
            return null;
        }
    }

    /**
     * Sends, then half-closes, so that a mutation which leaves the server waiting for more bytes ends
     * at once with end-of-stream instead of the idle timeout; returns the first non-AC answer.
     */
    private RawPdu sendHalfClosed(byte[] bytes) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            try {
                s.getOutputStream().write(bytes);
                s.getOutputStream().flush();
                s.shutdownOutput();
            } catch (IOException e) {
                // already aborted and closed by the server
            }
            RawPdu p = Pdus.read(s.getInputStream(), 1 << 20);
            while (p != null && p.type() == Pdus.A_ASSOCIATE_AC) {
                p = Pdus.read(s.getInputStream(), 1 << 20);
            }
            return p;
        } catch (java.net.SocketException e) {
            return null;
        }
    }

    /** All PDU types the server sends back until it closes. */
    private List<Integer> conversation(byte[] bytes) throws IOException {
        List<Integer> types = new ArrayList<>();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            RawPdu p;
            while ((p = Pdus.read(s.getInputStream(), 1 << 20)) != null) {
                types.add(p.type());
            }
        }
        return types;
    }

    private static long serverThreadAllocatedBytes() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("dicom-scp")) {
                long b = mx.getThreadAllocatedBytes(t.getId());
                sum += Math.max(b, 0);
            }
        }
        return sum;
    }

    private static byte[] associateRq(String called) {
        return Pdus.encodeAssociateRq(new AssociateRq(called, "HOSTILE", Pdus.APPLICATION_CONTEXT,
                DicomClient.propose(List.of(DicomUids.CT_IMAGE_STORAGE), List.of(DicomUids.EXPLICIT_VR_LE)),
                new UserInfo(16384, "1.2.3", null)));
    }

    @Test
    void randomBytesAreAbortedOrClosed() throws IOException {
        Random rnd = new Random(42);
        for (int i = 0; i < 20; i++) {
            byte[] junk = new byte[1 + rnd.nextInt(4000)];
            rnd.nextBytes(junk);
            RawPdu answer = sendRaw(junk);
            assertTrue(answer == null || answer.type() == Pdus.A_ABORT, "answer type " + (answer == null ? -1 : answer.type()));
        }
        assertStillServes();
    }

    @Test
    void twoGibPduHeaderIsAbortedWithoutAllocating() throws IOException {
        long before = serverThreadAllocatedBytes();
        for (int i = 0; i < 10; i++) {
            RawPdu answer = sendRaw(new byte[] {0x01, 0x00, 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xF0});
            assertEquals(Pdus.A_ABORT, answer.type());
            Abort a = Pdus.decodeAbort(answer.body());
            assertEquals(Abort.SOURCE_PROVIDER, a.source());
            assertEquals(Abort.REASON_INVALID_PDU_PARAMETER_VALUE, a.reason());
        }
        long allocated = serverThreadAllocatedBytes() - before;
        assertTrue(allocated < 64L * 1024 * 1024, "server threads allocated " + allocated + " bytes for 10 hostile headers");
        assertStillServes();
    }

    @Test
    void pDataLongerThanNegotiatedIsAborted() throws IOException {
        byte[] hdr = {0x04, 0, 0, 0, (byte) ((MAX_PDU + 1000) >>> 8), (byte) (MAX_PDU + 1000)};
        byte[] body = new byte[MAX_PDU + 1000];
        RawPdu answer = sendRaw(associateRq("ICHTRIAGE"), hdr, body);
        assertEquals(Pdus.A_ABORT, answer.type());
        assertEquals(Abort.REASON_INVALID_PDU_PARAMETER_VALUE, Pdus.decodeAbort(answer.body()).reason());
        assertStillServes();
    }

    @Test
    void endlessDatasetIsAbortedAtTheInstanceLimit() throws IOException {
        // a C-STORE whose dataset fragments never carry the last bit: the per-instance cap (1 MiB) ends it
        byte[] cmd = CommandSet.storeRq(1, DicomUids.CT_IMAGE_STORAGE, "1.2.3").encode();
        java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
        Pdus.writeMessage(stream, 1, true, cmd, 0, cmd.length, MAX_PDU);
        byte[] chunk = new byte[MAX_PDU - 6];
        for (int i = 0; i < 100; i++) {
            writeNonLastDataPdv(stream, chunk);
        }
        RawPdu answer = sendRaw(associateRq("ICHTRIAGE"), stream.toByteArray());
        assertEquals(Pdus.A_ABORT, answer.type());
        assertEquals(0, stores.get());
        assertStillServes();
    }

    private static void writeNonLastDataPdv(java.io.ByteArrayOutputStream o, byte[] chunk) {
        int pdv = chunk.length + 2;
        int pdu = pdv + 4;
        o.writeBytes(new byte[] {4, 0, (byte) (pdu >>> 24), (byte) (pdu >>> 16), (byte) (pdu >>> 8), (byte) pdu,
                (byte) (pdv >>> 24), (byte) (pdv >>> 16), (byte) (pdv >>> 8), (byte) pdv, 1, 0});
        o.writeBytes(chunk);
    }

    @Test
    void wrongCalledAeIsRejected() throws IOException {
        AssociationRejectedException e = assertThrows(AssociationRejectedException.class,
                () -> DicomClient.connect(scu("SOMEONEELSE"), DicomClient.propose(List.of(DicomUids.VERIFICATION),
                        List.of(DicomUids.IMPLICIT_VR_LE))));
        assertEquals(new AssociateRj(AssociateRj.PERMANENT, AssociateRj.SOURCE_SERVICE_USER, AssociateRj.REASON_CALLED_AE_NOT_RECOGNIZED),
                e.rejection());
        assertStillServes();
    }

    /**
     * Seeded mutations of a whole valid conversation (A-ASSOCIATE-RQ, C-STORE command and dataset,
     * A-RELEASE-RQ) sent to the live server: every connection must end, and the server must keep serving.
     */
    @Test
    void mutatedConversationsNeverBreakTheServer() throws IOException {
        byte[] cmd = CommandSet.storeRq(1, DicomUids.CT_IMAGE_STORAGE, "1.2.3").encode();
        java.io.ByteArrayOutputStream conv = new java.io.ByteArrayOutputStream();
        conv.writeBytes(associateRq("ICHTRIAGE"));
        Pdus.writeMessage(conv, 1, true, cmd, 0, cmd.length, MAX_PDU);
        byte[] ds = new byte[3000];
        Pdus.writeMessage(conv, 1, false, ds, 0, ds.length, 1024);
        conv.writeBytes(Pdus.releaseRq());
        byte[] valid = conv.toByteArray();
        assertEquals(List.of(Pdus.A_ASSOCIATE_AC, Pdus.P_DATA_TF, Pdus.A_RELEASE_RP), conversation(valid),
                "the unmutated conversation is served");
        Random rnd = new Random(0xD1C0);
        int before = stores.get();
        for (int i = 0; i < 150; i++) {
            byte[] b = valid.clone();
            for (int m = 0; m < 1 + rnd.nextInt(3); m++) {
                int pos = rnd.nextInt(b.length);
                b[pos] = rnd.nextBoolean() ? (byte) rnd.nextInt(256) : (byte) (b[pos] ^ (1 << rnd.nextInt(8)));
            }
            if (rnd.nextInt(4) == 0) {
                b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
            }
            RawPdu answer = sendHalfClosed(b);
            assertTrue(answer == null || answer.type() == Pdus.A_ABORT || answer.type() == Pdus.A_ASSOCIATE_RJ
                    || answer.type() == Pdus.A_RELEASE_RP || answer.type() == Pdus.P_DATA_TF,
                    "answer " + (answer == null ? "none" : answer.type()));
        }
        assertTrue(stores.get() >= before);
        assertTrue(countServerThreads() <= 8 + 2 + 1, "server threads: " + countServerThreads());
        assertStillServes();
    }

    @Test
    void callingAeAndAddressAllowlists() throws IOException {
        AssociateRj notRecognized = new AssociateRj(AssociateRj.PERMANENT, AssociateRj.SOURCE_SERVICE_USER,
                AssociateRj.REASON_CALLING_AE_NOT_RECOGNIZED);
        List<PresentationContextRq> pcs = DicomClient.propose(List.of(DicomUids.VERIFICATION), List.of(DicomUids.IMPLICIT_VR_LE));
        try (DicomServer s = DicomServer.start(ScpConfig.defaults().withPort(0).withAllowlists(java.util.Set.of("GOOD"), java.util.Set.of()),
                req -> StoreStatus.OK)) {
            AssociationRejectedException e = assertThrows(AssociationRejectedException.class,
                    () -> DicomClient.connect(ScuConfig.of("127.0.0.1", s.port(), "ICHTRIAGE", "BAD"), pcs));
            assertEquals(notRecognized, e.rejection());
            try (DicomClient c = DicomClient.connect(ScuConfig.of("127.0.0.1", s.port(), "ICHTRIAGE", "GOOD"), pcs)) {
                assertEquals(0, c.echo());
            }
        }
        try (DicomServer s = DicomServer.start(ScpConfig.defaults().withPort(0).withAllowlists(java.util.Set.of(), java.util.Set.of("10.9.9.9")),
                req -> StoreStatus.OK)) {
            AssociationRejectedException e = assertThrows(AssociationRejectedException.class,
                    () -> DicomClient.connect(ScuConfig.of("127.0.0.1", s.port(), "ICHTRIAGE", "GOOD"), pcs));
            assertEquals(notRecognized, e.rejection());
        }
    }

    @Test
    void idlePeerIsDroppedAfterArtim() throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            long t0 = System.nanoTime();
            RawPdu answer = Pdus.read(new DataInputStream(s.getInputStream()), 1 << 20);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(answer == null || answer.type() == Pdus.A_ABORT);
            assertTrue(ms < 8000, "server held an idle connection for " + ms + " ms with ARTIM 2 s");
        }
        assertStillServes();
    }

    @Test
    void fiftyConcurrentSendersAgainstPoolOfEight() throws Exception {
        storeDelayMs = 300;
        int baselineThreads = countServerThreads();
        byte[] ds = new byte[64 * 1024];
        ExecutorService pool = Executors.newFixedThreadPool(50);
        CountDownLatch go = new CountDownLatch(1);
        ConcurrentLinkedQueue<AssociateRj> rejections = new ConcurrentLinkedQueue<>();
        AtomicInteger ok = new AtomicInteger();
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int n = i;
            fs.add(pool.submit(() -> {
                go.await();
                try (DicomClient c = DicomClient.connect(scu("ICHTRIAGE"), DicomClient.propose(
                        List.of(DicomUids.CT_IMAGE_STORAGE), List.of(DicomUids.EXPLICIT_VR_LE)))) {
                    StoreStatus st = c.store(DicomUids.CT_IMAGE_STORAGE, "1.2.3." + n, DicomUids.EXPLICIT_VR_LE, ds);
                    if (st.isSuccess()) {
                        ok.incrementAndGet();
                    }
                } catch (AssociationRejectedException e) {
                    rejections.add(e.rejection());
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : fs) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertTrue(!rejections.isEmpty(), "50 concurrent senders never exceeded a pool of 8");
        for (AssociateRj rj : rejections) {
            assertEquals(new AssociateRj(AssociateRj.TRANSIENT, AssociateRj.SOURCE_PRESENTATION,
                    AssociateRj.REASON_LOCAL_LIMIT_EXCEEDED), rj);
        }
        assertEquals(50, ok.get() + rejections.size(), "every sender either stored or was rejected");
        assertEquals(ok.get(), stores.get());
        assertTrue(countServerThreads() <= 8 + 2 + 1, "server threads: " + countServerThreads());
        long deadline = System.currentTimeMillis() + 5000;
        while (server.activeAssociations() > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(0, server.activeAssociations());
        assertTrue(baselineThreads <= countServerThreads());
        storeDelayMs = 0;
        assertStillServes();
    }

    private static int countServerThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("dicom-scp")).count();
    }
}
