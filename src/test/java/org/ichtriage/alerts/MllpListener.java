package org.ichtriage.alerts;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.HL7Service;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import ca.uhn.hl7v2.protocol.ReceivingApplication;

/** A real MLLP listener, HAPI's own server, that keeps what it receives and answers AA or AE. */
final class MllpListener implements AutoCloseable {
    static final String AE_TEXT = "unknown receiving facility";

    private final HapiContext context = new DefaultHapiContext();
    private final HL7Service server;
    final List<ORU_R01> received = new CopyOnWriteArrayList<>();

    private MllpListener(int port, boolean accept, javax.net.ssl.SSLContext tls) throws InterruptedException {
        context.getParserConfiguration().setIdGenerator(new ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator());
        if (tls != null) {
            context.setSocketFactory(new ca.uhn.hl7v2.util.StandardSocketFactory() {
                @Override
                public java.net.ServerSocket createTlsServerSocket() throws IOException {
                    return tls.getServerSocketFactory().createServerSocket();
                }
            });
        }
        server = context.newServer(port, tls != null);
        server.registerApplication("ORU", "R01", new ReceivingApplication<Message>() {
            @Override
            public Message processMessage(Message m, Map<String, Object> meta) throws HL7Exception {
                received.add((ORU_R01) m);
                try {
                    return accept ? m.generateACK() : m.generateACK(AcknowledgmentCode.AE, new HL7Exception(AE_TEXT));
                } catch (IOException e) {
                    throw new HL7Exception(e);
                }
            }

            @Override
            public boolean canProcess(Message m) {
                return true;
            }
        });
        server.startAndWait();
    }

    static MllpListener accepting(int port) throws InterruptedException {
        return new MllpListener(port, true, null);
    }

    /** Speaks MLLP over TLS only, with the key and certificate of the context. */
    static MllpListener acceptingTls(int port, javax.net.ssl.SSLContext tls) throws InterruptedException {
        return new MllpListener(port, true, tls);
    }

    static MllpListener refusing(int port) throws InterruptedException {
        return new MllpListener(port, false, null);
    }

    @Override
    public void close() throws IOException {
        server.stopAndWait();
        context.close();
    }
}
