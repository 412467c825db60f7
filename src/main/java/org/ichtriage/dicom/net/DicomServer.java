package org.ichtriage.dicom.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DICOM listener (C-ECHO and C-STORE SCP). At most {@link ScpConfig#maxAssociations()}
 * associations are served at once; a connection beyond that has its A-ASSOCIATE-RQ answered with
 * A-ASSOCIATE-RJ transient / service-provider (presentation) / local-limit-exceeded by a separate
 * two-thread rejecter, and is closed outright when even that is saturated.
 */
public final class DicomServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DicomServer.class);
    private static final AssociateRj BUSY = new AssociateRj(AssociateRj.TRANSIENT, AssociateRj.SOURCE_PRESENTATION,
            AssociateRj.REASON_LOCAL_LIMIT_EXCEEDED);

    private final ScpConfig cfg;
    private final StoreHandler handler;
    private final ServerSocket server;
    private final Semaphore slots;
    private final ThreadPoolExecutor workers;
    private final ThreadPoolExecutor rejecter;
    private final Thread acceptor;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AeSlots aeSlots;
    private volatile boolean closed;

    private DicomServer(ScpConfig cfg, StoreHandler handler, ServerSocket server) {
        this.cfg = cfg;
        this.handler = handler;
        this.server = server;
        this.slots = new Semaphore(cfg.maxAssociations());
        this.aeSlots = new AeSlots(cfg.maxAssociationsPerAe());
        this.workers = new ThreadPoolExecutor(cfg.maxAssociations(), cfg.maxAssociations(), 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), named("dicom-scp-assoc"));
        this.workers.allowCoreThreadTimeOut(true);
        this.rejecter = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64), named("dicom-scp-reject"));
        this.rejecter.allowCoreThreadTimeOut(true);
        this.acceptor = named("dicom-scp-accept").newThread(this::acceptLoop);
    }

    /** Binds and starts accepting. */
    public static DicomServer start(ScpConfig cfg, StoreHandler handler) throws IOException {
        ServerSocket ss;
        InetSocketAddress addr = new InetSocketAddress(InetAddress.getByName(cfg.bindHost()), cfg.port());
        if (cfg.sslContext() != null) {
            SSLServerSocket s = (SSLServerSocket) cfg.sslContext().getServerSocketFactory().createServerSocket();
            s.setNeedClientAuth(cfg.requireClientAuth());
            ss = s;
        } else {
            ss = new ServerSocket();
        }
        ss.setReuseAddress(true);
        ss.bind(addr, 128);
        DicomServer d = new DicomServer(cfg, handler, ss);
        d.acceptor.start();
        LOG.info("DICOM SCP {} listening on {}:{}{}", cfg.aeTitle(), cfg.bindHost(), d.port(),
                cfg.sslContext() != null ? " (TLS)" : "");
        return d;
    }

    public int port() {
        return server.getLocalPort();
    }

    public ScpConfig config() {
        return cfg;
    }

    /** Associations being served right now. */
    public int activeAssociations() {
        return cfg.maxAssociations() - slots.availablePermits();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.error("accept failed: {}", e.toString());
                    sleepQuietly();
                }
                continue;
            }
            try {
                s.setTcpNoDelay(true);
                if (s instanceof SSLSocket ssl) {
                    Tls.restrict(ssl);
                }
            } catch (SocketException e) {
                closeQuietly(s);
                continue;
            }
            if (slots.tryAcquire()) {
                open.add(s);
                try {
                    workers.execute(() -> {
                        try {
                            new ScpAssociation(s, cfg, handler, aeSlots).run();
                        } finally {
                            open.remove(s);
                            slots.release();
                        }
                    });
                } catch (RejectedExecutionException e) {
                    open.remove(s);
                    slots.release();
                    closeQuietly(s);
                }
            } else {
                try {
                    open.add(s);
                    rejecter.execute(() -> {
                        try {
                            ScpAssociation.rejectEarly(s, cfg, BUSY);
                        } finally {
                            open.remove(s);
                        }
                    });
                } catch (RejectedExecutionException e) {
                    open.remove(s);
                    LOG.warn("connection from {} dropped: association pool and reject queue full",
                            s.getInetAddress().getHostAddress());
                    closeQuietly(s);
                }
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Stops accepting, closes every open connection and waits briefly for the workers. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : open) {
            closeQuietly(s);
        }
        workers.shutdownNow();
        rejecter.shutdownNow();
        try {
            acceptor.join(2000);
            workers.awaitTermination(5, TimeUnit.SECONDS);
            rejecter.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("DICOM SCP {} on port {} stopped", cfg.aeTitle(), server.getLocalPort());
    }

    /** Associations held per calling AE title (as sent, before any escaping). */
    static final class AeSlots {
        private final int perAe;
        private final ConcurrentHashMap<String, Integer> held = new ConcurrentHashMap<>();

        AeSlots(int perAe) {
            this.perAe = perAe;
        }

        /** true when the AE may open one more; the caller must then {@link #release} it. */
        boolean tryAcquire(String callingAe) {
            boolean[] granted = {false};
            held.compute(callingAe, (ae, n) -> {
                int now = n == null ? 0 : n;
                if (now >= perAe) {
                    return n;
                }
                granted[0] = true;
                return now + 1;
            });
            return granted[0];
        }

        void release(String callingAe) {
            held.computeIfPresent(callingAe, (ae, n) -> n <= 1 ? null : n - 1);
        }

        int held(String callingAe) {
            return held.getOrDefault(callingAe, 0);
        }
    }
}
