package org.ichtriage.dicom.net;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.ichtriage.dicom.codec.TransferSyntax;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One SCP association, from the A-ASSOCIATE-RQ to release or abort. Runs on one pool thread. */
final class ScpAssociation {
    private static final Logger LOG = LoggerFactory.getLogger(ScpAssociation.class);
    private static final int IO_BUFFER = 64 * 1024;

    private final Socket socket;
    private final ScpConfig cfg;
    private final StoreHandler handler;
    private final InetAddress remote;
    private InputStream in;
    private OutputStream out;

    private final Map<Integer, PresentationContextAc> accepted = new HashMap<>();
    private final Map<Integer, String> abstractSyntaxes = new HashMap<>();
    private String callingAet = "?";
    private long peerMaxPdu;
    private long associationBytes;
    private int stored;
    private int failed;

    // message assembly state
    private final ByteSink command = new ByteSink(512, CommandSet.MAX_COMMAND_LENGTH);
    private ByteSink data;
    private CommandSet pendingCommand;
    private int messagePcid = -1;

    ScpAssociation(Socket socket, ScpConfig cfg, StoreHandler handler, DicomServer.AeSlots aeSlots) {
        this.socket = socket;
        this.cfg = cfg;
        this.handler = handler;
        this.aeSlots = aeSlots;
        this.remote = socket.getInetAddress();
    }

    private final DicomServer.AeSlots aeSlots;
    /** The calling AE title whose slot this association holds, released when it ends. */
    private String heldAeSlot;

    void run() {
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) cfg.artimTimeout().toMillis());
            if (socket instanceof SSLSocket ssl) {
                ssl.startHandshake();
            }
            in = new BufferedInputStream(socket.getInputStream(), IO_BUFFER);
            out = new BufferedOutputStream(socket.getOutputStream(), IO_BUFFER);
            if (!negotiate()) {
                return;
            }
            socket.setSoTimeout((int) cfg.idleTimeout().toMillis());
            serve();
        } catch (PduException | DimseException e) {
            int reason = e instanceof PduException pe ? pe.abortReason() : Abort.REASON_INVALID_PDU_PARAMETER_VALUE;
            LOG.warn("association from {} ({}): protocol error, aborting: {}", callingAet, remote.getHostAddress(), e.getMessage());
            abort(reason);
        } catch (SocketTimeoutException e) {
            LOG.warn("association from {} ({}): no PDU within {} ms ({}), aborting", callingAet, remote.getHostAddress(),
                    heldAeSlot == null ? cfg.artimTimeout().toMillis() : cfg.idleTimeout().toMillis(),
                    heldAeSlot == null ? "ARTIM" : "dicom.idle-timeout-ms");
            abort(Abort.REASON_NOT_SPECIFIED);
        } catch (LimitExceeded e) {
            LOG.warn("association from {} ({}): {}, aborting", callingAet, remote.getHostAddress(), e.getMessage());
            abort(Abort.REASON_NOT_SPECIFIED);
        } catch (IOException e) {
            LOG.info("association from {} ({}): connection ended: {}", callingAet, remote.getHostAddress(), e.toString());
        } catch (RuntimeException e) {
            // a bug must cost this association only, never the listener
            LOG.error("association from {} ({}): internal error, aborting", callingAet, remote.getHostAddress(), e);
            abort(Abort.REASON_NOT_SPECIFIED);
        } finally {
            closeQuietly();
            if (heldAeSlot != null) {
                aeSlots.release(heldAeSlot);
            }
            LOG.info("association from {} ({}) closed: {} stored, {} failed", callingAet, remote.getHostAddress(), stored, failed);
        }
    }

    /** Thrown when a configured size bound is hit; answered by A-ABORT. */
    static final class LimitExceeded extends IOException {
        LimitExceeded(String m) {
            super(m);
        }
    }

    private boolean negotiate() throws IOException {
        RawPdu pdu = Pdus.read(in, cfg.maxPduReceiveLength());
        if (pdu == null) {
            return false;
        }
        if (pdu.type() != Pdus.A_ASSOCIATE_RQ) {
            throw new PduException("expected A-ASSOCIATE-RQ, got PDU type " + pdu.type(), Abort.REASON_UNEXPECTED_PDU, 0);
        }
        AssociateRq rq = Pdus.decodeAssociateRq(pdu.body());
        // only ever logged: escaped once here
        callingAet = LogSafe.text(rq.callingAet());
        AssociateRj rj = check(rq);
        if (rj != null) {
            LOG.warn("association from {} ({}) to {} rejected: {}", callingAet, remote.getHostAddress(), LogSafe.text(rq.calledAet()),
                    rj.describe());
            reject(rj);
            return false;
        }
        List<PresentationContextAc> answers = new ArrayList<>();
        for (PresentationContextRq pc : rq.presentationContexts()) {
            PresentationContextAc ac = answer(pc);
            answers.add(ac);
            if (ac.accepted()) {
                accepted.put(pc.id(), ac);
                abstractSyntaxes.put(pc.id(), pc.abstractSyntax());
            }
        }
        peerMaxPdu = rq.userInfo().maxPduLength();
        AssociateAc ac = new AssociateAc(rq.calledAet(), rq.callingAet(), Pdus.APPLICATION_CONTEXT, answers,
                new UserInfo(cfg.maxPduReceiveLength(), Pdus.IMPLEMENTATION_CLASS_UID, Pdus.IMPLEMENTATION_VERSION));
        out.write(Pdus.encodeAssociateAc(ac));
        out.flush();
        LOG.info("association from {} ({}) accepted: {} of {} presentation contexts", callingAet,
                remote.getHostAddress(), accepted.size(), answers.size());
        return true;
    }

    private AssociateRj check(AssociateRq rq) {
        if (!Pdus.APPLICATION_CONTEXT.equals(rq.applicationContext())) {
            return new AssociateRj(AssociateRj.PERMANENT, AssociateRj.SOURCE_SERVICE_USER, AssociateRj.REASON_APP_CONTEXT_NOT_SUPPORTED);
        }
        if (!cfg.aeTitle().equals(rq.calledAet())) {
            return new AssociateRj(AssociateRj.PERMANENT, AssociateRj.SOURCE_SERVICE_USER, AssociateRj.REASON_CALLED_AE_NOT_RECOGNIZED);
        }
        if (!cfg.allowedCallingAets().isEmpty() && !cfg.allowedCallingAets().contains(rq.callingAet())) {
            return new AssociateRj(AssociateRj.PERMANENT, AssociateRj.SOURCE_SERVICE_USER, AssociateRj.REASON_CALLING_AE_NOT_RECOGNIZED);
        }
        if (!cfg.allowedAddresses().isEmpty() && !cfg.allowedAddresses().contains(remote.getHostAddress())) {
            return new AssociateRj(AssociateRj.PERMANENT, AssociateRj.SOURCE_SERVICE_USER, AssociateRj.REASON_CALLING_AE_NOT_RECOGNIZED);
        }
        if (!aeSlots.tryAcquire(rq.callingAet())) {
            LOG.warn("association from {} ({}): this AE already holds {} associations (dicom.max-associations-per-ae)",
                    callingAet, remote.getHostAddress(), cfg.maxAssociationsPerAe());
            return new AssociateRj(AssociateRj.TRANSIENT, AssociateRj.SOURCE_PRESENTATION, AssociateRj.REASON_LOCAL_LIMIT_EXCEEDED);
        }
        heldAeSlot = rq.callingAet();
        return null;
    }

    /**
     * CT Image Storage in uncompressed little endian or a lossless syntax we decode (RLE, JPEG Lossless process
     * 14), and Verification uncompressed. The first syntax the proposer lists that we take wins (proposers list
     * their preference first), except that Explicit VR beats Implicit VR, whose US/SS ambiguity we would rather
     * not have. Lossy, JPEG-LS and JPEG 2000 are refused per context (result 4), so that a sender that also
     * proposed an uncompressed context falls back to it (docs/decisions/compressed-transfer-syntaxes.md).
     */
    static PresentationContextAc answer(PresentationContextRq pc) {
        String as = pc.abstractSyntax();
        boolean storage = DicomUids.CT_IMAGE_STORAGE.equals(as);
        if (!storage && !DicomUids.VERIFICATION.equals(as)) {
            return new PresentationContextAc(pc.id(), PresentationContextAc.ABSTRACT_SYNTAX_NOT_SUPPORTED, DicomUids.IMPLICIT_VR_LE);
        }
        String chosen = null;
        for (String ts : pc.transferSyntaxes()) {
            if (DicomUids.EXPLICIT_VR_LE.equals(ts) || DicomUids.IMPLICIT_VR_LE.equals(ts)
                    || (storage && TransferSyntax.isDecodedCompressed(ts))) {
                chosen = ts;
                break;
            }
        }
        if (DicomUids.IMPLICIT_VR_LE.equals(chosen) && pc.transferSyntaxes().contains(DicomUids.EXPLICIT_VR_LE)) {
            chosen = DicomUids.EXPLICIT_VR_LE;
        }
        if (chosen == null) {
            return new PresentationContextAc(pc.id(), PresentationContextAc.TRANSFER_SYNTAXES_NOT_SUPPORTED, DicomUids.IMPLICIT_VR_LE);
        }
        return new PresentationContextAc(pc.id(), PresentationContextAc.ACCEPTANCE, chosen);
    }

    private void serve() throws IOException {
        while (true) {
            RawPdu pdu = Pdus.read(in, cfg.maxPduReceiveLength());
            if (pdu == null) {
                LOG.warn("association from {} ({}): peer closed without release", callingAet, remote.getHostAddress());
                return;
            }
            switch (pdu.type()) {
                case Pdus.P_DATA_TF -> {
                    for (Pdv pdv : Pdus.decodePData(pdu.body())) {
                        onPdv(pdv);
                    }
                }
                case Pdus.A_RELEASE_RQ -> {
                    out.write(Pdus.releaseRp());
                    out.flush();
                    // ARTIM: the requester closes after RP; do not hold the connection longer than that
                    socket.setSoTimeout((int) cfg.artimTimeout().toMillis());
                    drainUntilClosed();
                    return;
                }
                case Pdus.A_ABORT -> {
                    LOG.warn("association from {} ({}): peer aborted: {}", callingAet, remote.getHostAddress(),
                            Pdus.decodeAbort(pdu.body()).describe());
                    return;
                }
                default -> throw new PduException("unexpected PDU type " + pdu.type() + " in established association",
                        Abort.REASON_UNEXPECTED_PDU, 0);
            }
        }
    }

    private void onPdv(Pdv pdv) throws IOException {
        int pcid = pdv.presentationContextId();
        if (!accepted.containsKey(pcid)) {
            throw new PduException("PDV on presentation context " + pcid + " that was not accepted",
                    Abort.REASON_INVALID_PDU_PARAMETER_VALUE, -1);
        }
        if (messagePcid >= 0 && pcid != messagePcid) {
            throw new PduException("PDV on context " + pcid + " inside a message on context " + messagePcid,
                    Abort.REASON_UNEXPECTED_PDU_PARAMETER, -1);
        }
        messagePcid = pcid;
        if (pdv.command()) {
            if (pendingCommand != null) {
                throw new PduException("command fragment while a dataset was expected", Abort.REASON_UNEXPECTED_PDU_PARAMETER, -1);
            }
            if (!command.append(pdv.buffer(), pdv.offset(), pdv.length())) {
                throw new LimitExceeded("command set longer than " + CommandSet.MAX_COMMAND_LENGTH);
            }
            if (pdv.last()) {
                CommandSet cmd = CommandSet.decode(command.take());
                command.reset(512);
                if (cmd.hasDataSet()) {
                    pendingCommand = cmd;
                    if (data == null) {
                        data = new ByteSink(64 * 1024, cfg.maxDatasetBytes());
                    }
                } else {
                    dispatch(cmd, null);
                    messagePcid = -1;
                }
            }
        } else {
            if (pendingCommand == null) {
                throw new PduException("dataset fragment without a command", Abort.REASON_UNEXPECTED_PDU_PARAMETER, -1);
            }
            associationBytes += pdv.length();
            if (associationBytes > cfg.maxAssociationBytes()) {
                throw new LimitExceeded("association exceeded " + cfg.maxAssociationBytes() + " dataset bytes");
            }
            if (!data.append(pdv.buffer(), pdv.offset(), pdv.length())) {
                throw new LimitExceeded("dataset longer than " + cfg.maxDatasetBytes() + " bytes");
            }
            if (pdv.last()) {
                CommandSet cmd = pendingCommand;
                pendingCommand = null;
                byte[] ds = data.take();
                data.reset(1024 * 1024);
                dispatch(cmd, ds);
                messagePcid = -1;
            }
        }
    }

    private void dispatch(CommandSet cmd, byte[] dataset) throws IOException {
        int pcid = messagePcid;
        String as = abstractSyntaxes.get(pcid);
        CommandSet rsp;
        switch (cmd.commandField()) {
            case CommandSet.C_ECHO_RQ -> rsp = CommandSet.response(cmd, StoreStatus.SUCCESS, null);
            case CommandSet.C_STORE_RQ -> {
                StoreStatus st = store(cmd, dataset, as, accepted.get(pcid).transferSyntax());
                if (st.isStored()) {
                    stored++;
                } else {
                    failed++;
                }
                rsp = CommandSet.response(cmd, st.code(), st.isSuccess() ? null : st.comment());
            }
            default -> rsp = CommandSet.response(cmd, StoreStatus.UNRECOGNIZED_OPERATION, "unsupported command");
        }
        byte[] enc = rsp.encode();
        Pdus.writeMessage(out, pcid, true, enc, 0, enc.length, peerMaxPdu);
        out.flush();
    }

    private StoreStatus store(CommandSet cmd, byte[] dataset, String abstractSyntax, String ts) {
        String cls = cmd.getString(CommandSet.AFFECTED_SOP_CLASS_UID);
        String inst = cmd.getString(CommandSet.AFFECTED_SOP_INSTANCE_UID);
        if (dataset == null || cls == null || inst == null) {
            return StoreStatus.failure(StoreStatus.CANNOT_UNDERSTAND, "C-STORE-RQ lacks SOP class, instance or dataset");
        }
        if (!cls.equals(abstractSyntax) || DicomUids.VERIFICATION.equals(cls)) {
            return StoreStatus.failure(StoreStatus.SOP_CLASS_NOT_SUPPORTED, "SOP class does not match presentation context");
        }
        try {
            StoreStatus st = handler.store(new StoreRequest(callingAet, cfg.aeTitle(), remote, cls, inst, ts, dataset, Instant.now()));
            return st == null ? StoreStatus.failure(StoreStatus.PROCESSING_FAILURE, "handler returned no status") : st;
        } catch (RuntimeException e) {
            LOG.error("store handler failed for association from {}: {}", callingAet, e.toString(), e);
            return StoreStatus.failure(StoreStatus.PROCESSING_FAILURE, "internal error");
        }
    }

    private void reject(AssociateRj rj) throws IOException {
        out.write(Pdus.encodeAssociateRj(rj));
        out.flush();
        drainUntilClosed();
    }

    /** Waits (bounded by the socket timeout = ARTIM) for the peer to close, discarding at most 64 KiB. */
    private void drainUntilClosed() {
        try {
            socket.shutdownOutput();
            byte[] sink = new byte[4096];
            long total = 0;
            int n;
            while (total < 65536 && (n = in.read(sink)) >= 0) {
                total += n;
            }
        } catch (IOException | UnsupportedOperationException e) {
            // the peer is gone or did not close in time; either way we close now
        }
    }

    private void abort(int reason) {
        try {
            out.write(Pdus.encodeAbort(new Abort(Abort.SOURCE_PROVIDER, reason)));
            out.flush();
        } catch (IOException | RuntimeException e) {
            // peer already gone
        }
    }

    private void closeQuietly() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    /** Reads the RQ of a connection we cannot serve and answers it with {@code rj}. */
    static void rejectEarly(Socket s, ScpConfig cfg, AssociateRj rj) {
        try (s) {
            s.setTcpNoDelay(true);
            s.setSoTimeout((int) cfg.artimTimeout().toMillis());
            if (s instanceof SSLSocket ssl) {
                ssl.startHandshake();
            }
            InputStream in = new BufferedInputStream(s.getInputStream(), 8192);
            RawPdu pdu = Pdus.read(in, 0);
            if (pdu != null && pdu.type() == Pdus.A_ASSOCIATE_RQ) {
                s.getOutputStream().write(Pdus.encodeAssociateRj(rj));
                s.getOutputStream().flush();
                LOG.warn("association from {} rejected: {}", s.getInetAddress().getHostAddress(), rj.describe());
                s.shutdownOutput();
                in.read();
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("early reject of {} ended: {}", s.getInetAddress(), e.toString());
        }
    }
}
