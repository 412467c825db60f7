package org.ichtriage.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The threshold logic on a fake file system; FullDiskIT does it on a real, filling one. */
class DiskSpaceGuardTest {
    private static final long MIB = 1024 * 1024;
    private static final Path BROKER = Path.of("/state/kafka");
    private static final Path STATE = Path.of("/state");

    private final Map<Path, Long> freeBytes = new ConcurrentHashMap<>(Map.of(BROKER, 5000 * MIB, STATE, 5000 * MIB));
    private final DiskSpaceGuard guard = new DiskSpaceGuard(List.of(
            new DiskSpaceGuard.WatchedFolder("state.dir/kafka", BROKER), new DiskSpaceGuard.WatchedFolder("state.dir", STATE)),
            1024, folder -> {
                Long free = freeBytes.get(folder);
                if (free == null) {
                    throw new IOException("no such folder " + folder);
                }
                return free;
            });

    @Test
    void refusesBelowTheFloorWithTheFolderItsFreeSpaceAndTheSettingAndRecoversByItself() {
        assertTrue(guard.check().isEmpty());
        assertTrue(guard.refusal().isEmpty());
        assertNull(guard.notReadyReason());

        freeBytes.put(STATE, 1023 * MIB + MIB / 2);
        guard.check();
        assertEquals("state.dir: 1023 MiB free < disk.min-free-mb=1024", guard.refusal().orElseThrow());
        assertTrue(guard.refusal().get().length() <= 64, "DICOM keeps 64 characters of an Error Comment");
        String reason = guard.notReadyReason();
        assertTrue(reason.startsWith("state.dir (" + STATE.toAbsolutePath() + ") has 1023 MiB free, below disk.min-free-mb=1024"), reason);

        freeBytes.put(STATE, 1024 * MIB);
        guard.check();
        assertTrue(guard.refusal().isEmpty(), "exactly the floor is enough");
        assertNull(guard.notReadyReason());
    }

    @Test
    void theFirstFolderBelowTheFloorIsNamed() {
        freeBytes.put(BROKER, 10 * MIB);
        freeBytes.put(STATE, 10 * MIB);
        assertEquals("state.dir/kafka: 10 MiB free < disk.min-free-mb=1024", guard.check().orElseThrow().storeComment());
    }

    @Test
    void anUnreadableFolderRefusesRatherThanPromising() {
        freeBytes.remove(BROKER);
        assertEquals("state.dir/kafka: free space unreadable", guard.check().orElseThrow().storeComment());
        assertTrue(guard.notReadyReason().contains("no such folder"), guard.notReadyReason());
    }

    @Test
    void logsOneWarningWhenCrossingBelowAndOneInfoWhenRecovered() {
        Logger log = (Logger) LoggerFactory.getLogger(DiskSpaceGuard.class);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        log.addAppender(seen);
        try {
            guard.check();
            freeBytes.put(BROKER, 100 * MIB);
            for (int i = 0; i < 5; i++) {
                guard.check();
            }
            freeBytes.put(BROKER, 50 * MIB);
            guard.check();
            freeBytes.put(BROKER, 4000 * MIB);
            guard.check();
            guard.check();
        } finally {
            log.detachAppender(seen);
        }
        List<ILoggingEvent> events = seen.list;
        assertEquals(2, events.size(), events::toString);
        assertEquals(Level.WARN, events.get(0).getLevel());
        assertTrue(events.get(0).getFormattedMessage().contains("state.dir/kafka (/state/kafka) has 100 MiB free"),
                events.get(0).getFormattedMessage());
        assertEquals(Level.INFO, events.get(1).getLevel());
        assertTrue(events.get(1).getFormattedMessage().contains("at least 4000 MiB free"), events.get(1).getFormattedMessage());
    }

    @Test
    void aFolderNotCreatedYetIsMeasuredAtItsParent() throws IOException {
        Path missing = Path.of(System.getProperty("java.io.tmpdir"), "not-created-" + System.nanoTime(), "kafka");
        assertTrue(DiskSpaceGuard.fileSystemUsableBytes(missing) > 0);
    }
}
