package org.ichtriage.dicom.net;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLSocket;

/**
 * A DICOM association as requester (C-ECHO and C-STORE SCU). Not thread-safe: one message at a
 * time, as negotiated (no asynchronous operations window).
 */
public final class DicomClient implements AutoCloseable {
    private final ScuConfig cfg;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final AssociateAc ac;
    private final List<PresentationContextRq> proposed;
    private int nextMessageId = 1;
    private boolean released;

    private DicomClient(ScuConfig cfg, Socket socket, InputStream in, OutputStream out, AssociateAc ac,
                        List<PresentationContextRq> proposed) {
        this.cfg = cfg;
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.ac = ac;
        this.proposed = proposed;
    }

    /** One context per (abstract syntax, transfer syntax) pair, so the acceptor's choice is unambiguous. */
    public static List<PresentationContextRq> propose(Collection<String> abstractSyntaxes, Collection<String> transferSyntaxes) {
        List<PresentationContextRq> out = new ArrayList<>();
        int id = 1;
        for (String as : abstractSyntaxes) {
            for (String ts : transferSyntaxes) {
                if (id > 255) {
                    throw new IllegalArgumentException("more than 128 presentation contexts proposed");
                }
                out.add(new PresentationContextRq(id, as, List.of(ts)));
                id += 2;
            }
        }
        return out;
    }

    /** Opens the connection and negotiates; throws {@link AssociationRejectedException} on A-ASSOCIATE-RJ. */
    public static DicomClient connect(ScuConfig cfg, List<PresentationContextRq> contexts) throws IOException {
        Socket s = cfg.sslContext() != null ? cfg.sslContext().getSocketFactory().createSocket() : new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(cfg.host(), cfg.port()), (int) cfg.connectTimeout().toMillis());
            s.setSoTimeout((int) cfg.responseTimeout().toMillis());
            if (s instanceof SSLSocket ssl) {
                Tls.restrict(ssl);
                ssl.startHandshake();
            }
            InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
            AssociateRq rq = new AssociateRq(cfg.calledAet(), cfg.callingAet(), Pdus.APPLICATION_CONTEXT, contexts,
                    new UserInfo(cfg.maxPduReceiveLength(), Pdus.IMPLEMENTATION_CLASS_UID, Pdus.IMPLEMENTATION_VERSION));
            out.write(Pdus.encodeAssociateRq(rq));
            out.flush();
            RawPdu pdu = Pdus.read(in, cfg.maxPduReceiveLength());
            if (pdu == null) {
                throw new IOException("peer closed the connection instead of answering the A-ASSOCIATE-RQ");
            }
            switch (pdu.type()) {
                case Pdus.A_ASSOCIATE_AC -> {
                    return new DicomClient(cfg, s, in, out, Pdus.decodeAssociateAc(pdu.body()), List.copyOf(contexts));
                }
                case Pdus.A_ASSOCIATE_RJ -> throw new AssociationRejectedException(Pdus.decodeAssociateRj(pdu.body()));
                case Pdus.A_ABORT -> throw new AssociationAbortedException(Pdus.decodeAbort(pdu.body()));
                default -> throw new PduException("unexpected PDU type " + pdu.type() + " in reply to A-ASSOCIATE-RQ",
                        Abort.REASON_UNEXPECTED_PDU, 0);
            }
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    public AssociateAc associateAc() {
        return ac;
    }

    /** The accepted context for this SOP class and transfer syntax, or -1. */
    public int contextFor(String sopClass, String ts) {
        for (PresentationContextAc pc : ac.presentationContexts()) {
            if (!pc.accepted()) {
                continue;
            }
            for (PresentationContextRq rq : proposed) {
                if (rq.id() == pc.id() && rq.abstractSyntax().equals(sopClass)
                        && (ts == null || ts.equals(pc.transferSyntax()))) {
                    return pc.id();
                }
            }
        }
        return -1;
    }

    /** C-ECHO; returns the DIMSE status (0 = success). */
    public int echo() throws IOException {
        int pcid = contextFor(DicomUids.VERIFICATION, null);
        if (pcid < 0) {
            throw new NoPresentationContextException(DicomUids.VERIFICATION, "any");
        }
        CommandSet rq = CommandSet.echoRq(nextMessageId++);
        sendCommand(pcid, rq);
        return readResponse(rq).status();
    }

    /** C-STORE of a dataset already encoded in {@code tsUid}; returns the status the peer answered. */
    public StoreStatus store(String sopClass, String sopInstance, String tsUid, byte[] dataset) throws IOException {
        return store(sopClass, sopInstance, tsUid, dataset, 0, dataset.length);
    }

    public StoreStatus store(String sopClass, String sopInstance, String tsUid, byte[] buf, int off, int len)
            throws IOException {
        int pcid = contextFor(sopClass, tsUid);
        if (pcid < 0) {
            throw new NoPresentationContextException(sopClass, tsUid);
        }
        CommandSet rq = CommandSet.storeRq(nextMessageId++, sopClass, sopInstance);
        byte[] cmd = rq.encode();
        long max = ac.userInfo().maxPduLength();
        Pdus.writeMessage(out, pcid, true, cmd, 0, cmd.length, max);
        Pdus.writeMessage(out, pcid, false, buf, off, len, max);
        out.flush();
        CommandSet rsp = readResponse(rq);
        return new StoreStatus(rsp.status(), rsp.getString(CommandSet.ERROR_COMMENT));
    }

    private void sendCommand(int pcid, CommandSet cmd) throws IOException {
        byte[] b = cmd.encode();
        Pdus.writeMessage(out, pcid, true, b, 0, b.length, ac.userInfo().maxPduLength());
        out.flush();
    }

    private CommandSet readResponse(CommandSet rq) throws IOException {
        ByteSink cmd = new ByteSink(256, CommandSet.MAX_COMMAND_LENGTH);
        while (true) {
            RawPdu pdu = Pdus.read(in, cfg.maxPduReceiveLength());
            if (pdu == null) {
                throw new IOException("peer closed the connection while a response was pending");
            }
            switch (pdu.type()) {
                case Pdus.P_DATA_TF -> {
                    for (Pdv pdv : Pdus.decodePData(pdu.body())) {
                        if (!pdv.command()) {
                            throw new PduException("unexpected dataset in a response", Abort.REASON_UNEXPECTED_PDU_PARAMETER, -1);
                        }
                        if (!cmd.append(pdv.buffer(), pdv.offset(), pdv.length())) {
                            throw new PduException("response command set too long", Abort.REASON_INVALID_PDU_PARAMETER_VALUE, -1);
                        }
                        if (pdv.last()) {
                            CommandSet rsp = CommandSet.decode(cmd.take());
                            if (rsp.commandField() != (rq.commandField() | 0x8000)
                                    || rsp.getUs(CommandSet.MESSAGE_ID_BEING_RESPONDED_TO) != rq.messageId()) {
                                throw new DimseException("response does not match request " + rq.messageId(),
                                        CommandSet.MESSAGE_ID_BEING_RESPONDED_TO, 0);
                            }
                            return rsp;
                        }
                    }
                }
                case Pdus.A_ABORT -> throw new AssociationAbortedException(Pdus.decodeAbort(pdu.body()));
                default -> throw new PduException("unexpected PDU type " + pdu.type() + " while awaiting a response",
                        Abort.REASON_UNEXPECTED_PDU, 0);
            }
        }
    }

    /** A-RELEASE-RQ, wait for the RP (bounded by the response timeout), close. */
    public void release() throws IOException {
        if (released) {
            return;
        }
        released = true;
        try {
            out.write(Pdus.releaseRq());
            out.flush();
            RawPdu pdu = Pdus.read(in, cfg.maxPduReceiveLength());
            if (pdu == null || pdu.type() != Pdus.A_RELEASE_RP) {
                throw new IOException("no A-RELEASE-RP from peer (got " + (pdu == null ? "end of stream" : "PDU type " + pdu.type()) + ")");
            }
        } finally {
            socket.close();
        }
    }

    /** A-ABORT as service-user, then close. */
    public void abort() {
        released = true;
        try {
            out.write(Pdus.encodeAbort(new Abort(Abort.SOURCE_USER, Abort.REASON_NOT_SPECIFIED)));
            out.flush();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    @Override
    public void close() throws IOException {
        if (!released) {
            release();
        }
    }
}
