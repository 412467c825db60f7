package org.ichtriage.alerts.hl7;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.ichtriage.alerts.AlertEvent;
import org.ichtriage.alerts.AlertSettings;
import org.ichtriage.alerts.Channel;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.Connection;
import ca.uhn.hl7v2.llp.LLPException;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.util.Terser;

/**
 * Sends the ORU^R01 of a result to MLLP listeners (an interface engine: Mirth/NextGen Connect,
 * Rhapsody, Cloverleaf...) and waits for the ACK: AA is delivery; AE and AR are refusals whose text is
 * kept for the status record and the dead letter. One connection per attempt, closed after it.
 */
public final class MllpChannel implements Channel {
    private final List<AlertSettings.MllpDestination> destinations;
    private final List<String> names;
    private final boolean tls;
    private final int ackTimeoutMs;
    private final OruMessageBuilder builder;
    private final Clock clock;
    private final HapiContext context;

    public MllpChannel(List<AlertSettings.MllpDestination> destinations, boolean tls, int ackTimeoutMs, OruMessageBuilder builder,
                       Clock clock) {
        this.destinations = List.copyOf(destinations);
        this.names = destinations.stream().map(d -> (tls ? "mllps://" : "mllp://") + d).toList();
        this.tls = tls;
        this.ackTimeoutMs = ackTimeoutMs;
        this.builder = builder;
        this.clock = clock;
        this.context = new DefaultHapiContext();
        // frames encoded in the charset that MSH-18 names (UTF-8), so that names outside ASCII survive
        this.context.setLowerLayerProtocol(new ca.uhn.hl7v2.llp.MinLowerLayerProtocol(true));
        this.context.setSocketFactory(new VerifyingTlsSocketFactory());
    }

    @Override
    public String name() {
        return "hl7";
    }

    @Override
    public List<String> destinations() {
        return names;
    }

    @Override
    public Result send(int destination, AlertEvent event, byte[] eventJson) {
        Message oru;
        try {
            oru = builder.build(event, clock.instant());
        } catch (HL7Exception e) {
            return Result.refused("ORU not built: " + e.getMessage());
        }
        AlertSettings.MllpDestination d = destinations.get(destination);
        Connection c;
        try {
            c = context.newClient(d.host(), d.port(), tls);
        } catch (HL7Exception e) {
            return Result.unreachable("no connection: " + rootCause(e));
        }
        try {
            c.getInitiator().setTimeout(ackTimeoutMs, TimeUnit.MILLISECONDS);
            Message ack = c.getInitiator().sendAndReceive(oru);
            try {
                return judge(ack);
            } catch (HL7Exception e) {
                return Result.refused("unreadable ACK: " + e.getMessage());
            }
        } catch (HL7Exception | LLPException | IOException e) {
            return Result.unreachable("no ACK: " + rootCause(e));
        } finally {
            closeQuietly(c);
        }
    }

    /** AA is delivery; AE or AR a refusal with MSA-3 and ERR texts; anything else a refusal too. */
    static Result judge(Message ack) throws HL7Exception {
        Terser t = new Terser(ack);
        String code = t.get("/MSA-1");
        String control = t.get("/MSA-2");
        if ("AA".equals(code) || "CA".equals(code)) {
            return Result.delivered(code + " for " + control);
        }
        java.util.LinkedHashSet<String> texts = new java.util.LinkedHashSet<>();
        texts.add(t.get("/MSA-3"));
        try {
            // HL7 error code text, its original text (HAPI puts the application's message there), user message
            texts.add(t.get("/ERR-3-2"));
            texts.add(t.get("/ERR-3-9"));
            texts.add(t.get("/ERR-8"));
        } catch (HL7Exception noErrSegment) {
            // an ACK of another version may have no ERR of this shape
        }
        texts.remove(null);
        String why = (code == null ? "no MSA-1" : code) + (texts.isEmpty() ? "" : ": " + String.join("; ", texts));
        return Result.refused(why);
    }

    /**
     * HAPI's TLS sockets come from the default SSLSocketFactory, which checks the chain but not the host
     * name. These check both (as HTTPS does) and speak TLS 1.2 or 1.3 only; trust is the JVM's default.
     */
    static final class VerifyingTlsSocketFactory extends ca.uhn.hl7v2.util.StandardSocketFactory {
        @Override
        public java.net.Socket createTlsSocket() throws IOException {
            javax.net.ssl.SSLSocket s;
            try {
                s = (javax.net.ssl.SSLSocket) javax.net.ssl.SSLContext.getDefault().getSocketFactory().createSocket();
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IOException("no default TLS context: " + e.getMessage(), e);
            }
            javax.net.ssl.SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            s.setSSLParameters(p);
            return s;
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (Exception e) {
            // the attempt's outcome is known already
        }
    }

    private static String rootCause(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c == e ? e.toString() : e.getMessage() + " (" + c + ")";
    }

    @Override
    public void close() {
        try {
            context.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
