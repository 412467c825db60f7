package org.ichtriage.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerStateFolderTest {
    @TempDir
    Path streams;

    @Test
    void memberIdIsCreatedOnceAndKeptByTheFolder() throws Exception {
        String first = WorkerStateFolder.instanceId(Optional.empty(), streams);
        assertTrue(first.matches("worker-[0-9a-f-]{36}"), first);
        assertEquals(first, Files.readString(streams.resolve("instance-id")).strip());
        assertEquals(first, WorkerStateFolder.instanceId(Optional.empty(), streams), "a restart reads the same id");
        Path other = Files.createDirectories(streams.resolveSibling(streams.getFileName() + "-other"));
        assertNotEquals(first, WorkerStateFolder.instanceId(Optional.empty(), other), "another folder, another member");
    }

    @Test
    void configuredIdWinsAndMustBeOneKafkaAccepts() {
        assertEquals("ct-worker-3", WorkerStateFolder.instanceId(Optional.of("ct-worker-3"), streams));
        assertFalse(Files.exists(streams.resolve("instance-id")), "nothing written when configured");
        var e = assertThrows(WorkerStateFolder.InvalidInstanceIdException.class,
                () -> WorkerStateFolder.instanceId(Optional.of("ct worker/3"), streams));
        assertTrue(e.getMessage().contains("ct worker/3"), e.getMessage());
    }

    @Test
    void damagedIdFileIsReplaced() throws Exception {
        Files.writeString(streams.resolve("instance-id"), "");
        String id = WorkerStateFolder.instanceId(Optional.empty(), streams);
        assertTrue(id.startsWith("worker-"), id);
        assertEquals(id, Files.readString(streams.resolve("instance-id")).strip());
    }

    @Test
    void onlyTaskFoldersWithoutCheckpointAreDiscarded() throws Exception {
        Path app = streams.resolve("ich-triage-worker");
        Path killed = Files.createDirectories(app.resolve("0_1/rocksdb/series-state"));
        Files.writeString(killed.resolve("000007.sst"), "x");
        Path clean = Files.createDirectories(app.resolve("0_2/rocksdb/series-state"));
        Files.writeString(app.resolve("0_2/.checkpoint"), "0\n1\nich-triage-worker-series-state-changelog 2 17\n");
        Path attempts = Files.createDirectories(streams.resolve("analysis-attempts/ich-triage-worker"));
        Files.writeString(attempts.resolve("abc"), "1");
        Path processFile = Files.writeString(app.resolve("kafka-streams-process-metadata"), "{}");

        assertEquals(List.of("0_1"), WorkerStateFolder.discardUncheckpointedTasks(streams, "ich-triage-worker"));
        assertFalse(Files.exists(app.resolve("0_1")));
        assertTrue(Files.exists(clean), "a cleanly closed task keeps its stores");
        assertTrue(Files.exists(attempts.resolve("abc")), "poison-series counts survive");
        assertTrue(Files.exists(processFile));
        assertEquals(List.of(), WorkerStateFolder.discardUncheckpointedTasks(streams, "no-such-app"));
    }
}
