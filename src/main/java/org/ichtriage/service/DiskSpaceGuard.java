package org.ichtriage.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.ichtriage.ingest.IngestBlocker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps ingest from promising what a full disk cannot keep. It reads the free space of the folders
 * this process writes to (the embedded broker's log folder, state.dir, dicom.spool-dir) every
 * disk.check-interval-ms; while one has less than disk.min-free-mb, C-STORE is refused with A700 and
 * /health/ready is NOT_READY, and the first check with enough space lifts both. The margin is there so
 * that the broker never reaches a full disk, at which point Kafka gives up its log folder for good.
 */
public final class DiskSpaceGuard implements IngestBlocker, HealthServer.Check, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DiskSpaceGuard.class);
    private static final long MIB = 1024L * 1024L;

    /** A folder to watch; {@code name} is how the operator knows it (a setting, or where it lies under one). */
    public record WatchedFolder(String name, Path path) {}

    /** Free bytes for new files in the file system holding a folder. */
    @FunctionalInterface
    public interface FreeSpace {
        long usableBytes(Path folder) throws IOException;
    }

    /**
     * A folder below the floor, or whose free space cannot be read (treated the same: no Success that
     * cannot be backed).
     *
     * @param storeComment the C-STORE Error Comment, at most 64 characters
     * @param reason       the full reason, with the path, for the log and /health/ready
     */
    public record Shortage(WatchedFolder folder, String storeComment, String reason) {
        static Shortage below(WatchedFolder folder, long freeMib, long minFreeMib) {
            return new Shortage(folder, folder.name() + ": " + freeMib + " MiB free < disk.min-free-mb=" + minFreeMib,
                    folder.name() + " (" + folder.path().toAbsolutePath() + ") has " + freeMib + " MiB free, below disk.min-free-mb="
                            + minFreeMib + "; C-STORE is refused with A700 until space is freed");
        }

        static Shortage unreadable(WatchedFolder folder, Exception cause) {
            return new Shortage(folder, folder.name() + ": free space unreadable",
                    "free space of " + folder.name() + " (" + folder.path().toAbsolutePath() + ") cannot be read: " + cause.getMessage()
                            + "; C-STORE is refused with A700 until it can");
        }
    }

    private final List<WatchedFolder> folders;
    private final long minFreeMib;
    private final FreeSpace freeSpace;
    private volatile Optional<Shortage> current = Optional.empty();
    private ScheduledExecutorService timer;

    public DiskSpaceGuard(List<WatchedFolder> folders, long minFreeMib, FreeSpace freeSpace) {
        if (minFreeMib < 1) {
            throw new IllegalArgumentException("minFreeMib must be at least 1 (0 turns the guard off, so none is made): " + minFreeMib);
        }
        this.folders = List.copyOf(folders);
        this.minFreeMib = minFreeMib;
        this.freeSpace = freeSpace;
    }

    /** The file system's usable space; a folder not created yet is measured at its nearest existing parent. */
    public static long fileSystemUsableBytes(Path folder) throws IOException {
        Path p = folder.toAbsolutePath();
        while (p.getParent() != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return Files.getFileStore(p).getUsableSpace();
    }

    /** Checks once now, then every {@code interval} on a daemon thread. */
    public DiskSpaceGuard start(Duration interval) {
        check();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ich-disk-space");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::checkQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            // a throw would end the schedule silently; the next check tries again
            log.warn("free-space check failed: {}", e.toString());
        }
    }

    /**
     * Reads every folder now and returns the first shortage. Logs once when the first shortage starts
     * (WARN) and once when it ends (INFO), not per check or per refused image.
     */
    public synchronized Optional<Shortage> check() {
        Optional<Shortage> found = Optional.empty();
        long leastFreeMib = Long.MAX_VALUE;
        for (WatchedFolder f : folders) {
            long freeMib;
            try {
                freeMib = freeSpace.usableBytes(f.path()) / MIB;
            } catch (IOException | RuntimeException e) {
                found = Optional.of(Shortage.unreadable(f, e));
                break;
            }
            leastFreeMib = Math.min(leastFreeMib, freeMib);
            if (freeMib < minFreeMib) {
                found = Optional.of(Shortage.below(f, freeMib, minFreeMib));
                break;
            }
        }
        if (found.isPresent() && current.isEmpty()) {
            log.warn("disk nearly full: {}", found.get().reason());
        } else if (found.isEmpty() && current.isPresent()) {
            log.info("disk space recovered: the watched folders have at least {} MiB free (disk.min-free-mb={}); the disk no longer refuses C-STORE",
                    leastFreeMib, minFreeMib);
        }
        current = found;
        return found;
    }

    /** The shortage found by the last check. */
    public Optional<Shortage> current() {
        return current;
    }

    @Override
    public Optional<String> refusal() {
        return current.map(Shortage::storeComment);
    }

    @Override
    public String notReadyReason() {
        return current.map(Shortage::reason).orElse(null);
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
