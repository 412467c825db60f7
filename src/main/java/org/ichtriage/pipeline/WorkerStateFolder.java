package org.ichtriage.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a worker keeps in its Kafka Streams state folder to come back quickly after kill -9:
 * a static group member id that survives restarts, and no task folders Streams would refuse.
 */
public final class WorkerStateFolder {
    private static final Logger log = LoggerFactory.getLogger(WorkerStateFolder.class);

    /** Characters Kafka accepts in a group.instance.id (the same as in a topic name). */
    private static final Pattern VALID_ID = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    private static final Pattern TASK_FOLDER = Pattern.compile("\\d+_\\d+");
    static final String ID_FILE = "instance-id";

    private WorkerStateFolder() {
    }

    /** A configured id (pipeline.instance-id) that Kafka would refuse. */
    public static final class InvalidInstanceIdException extends IllegalArgumentException {
        public InvalidInstanceIdException(String id) {
            super("'" + id + "' is not 1-200 of A-Z a-z 0-9 . _ -");
        }
    }

    /**
     * The worker's static group member id: the configured one, else the one stored in
     * {@code <streamsDir>/instance-id}, created once. The id belongs to the folder, so a restarted
     * process on the same folder takes its old member's place at once instead of waiting for the
     * broker to expire it; two live processes must never share a folder (or a configured id).
     */
    public static String instanceId(Optional<String> configured, Path streamsDir) {
        if (configured.isPresent()) {
            if (!VALID_ID.matcher(configured.get()).matches()) {
                throw new InvalidInstanceIdException(configured.get());
            }
            return configured.get();
        }
        Path file = streamsDir.resolve(ID_FILE);
        try {
            if (Files.exists(file)) {
                String stored = Files.readString(file, StandardCharsets.US_ASCII).strip();
                if (VALID_ID.matcher(stored).matches()) {
                    return stored;
                }
                log.warn("{} holds no valid member id; writing a new one", file);
            }
            String id = "worker-" + UUID.randomUUID();
            Files.createDirectories(streamsDir);
            Path tmp = streamsDir.resolve(ID_FILE + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.US_ASCII)));
                ch.force(true); // a power cut must not leave an empty id file behind the rename
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("state folder " + streamsDir + ": cannot keep the worker's member id", e);
        }
    }

    /**
     * Removes the task folders of {@code applicationId} that have no checkpoint file. Under
     * exactly-once Streams deletes a task's checkpoint while it runs and writes it on a clean close,
     * so a folder without one is what kill -9 left: Streams would refuse it (TaskCorruptedException),
     * close the task, wipe it and restore it from the changelog, after the group has assigned it.
     * Wiping it before the start skips that round and restores at once. Other folders (the analysis
     * attempts, a clean task's stores) are left alone.
     *
     * @return the task folders removed
     */
    public static List<String> discardUncheckpointedTasks(Path streamsDir, String applicationId) {
        Path appDir = streamsDir.resolve(applicationId);
        List<String> removed = new ArrayList<>();
        if (!Files.isDirectory(appDir)) {
            return removed;
        }
        try (Stream<Path> tasks = Files.list(appDir)) {
            for (Path task : tasks.filter(Files::isDirectory)
                    .filter(d -> TASK_FOLDER.matcher(d.getFileName().toString()).matches()).sorted().toList()) {
                if (!Files.exists(task.resolve(".checkpoint")) && holdsStores(task)) {
                    deleteTree(task);
                    removed.add(task.getFileName().toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("state folder " + appDir + ": cannot clear unfinished tasks", e);
        }
        if (!removed.isEmpty()) {
            log.info("tasks {} ended without a checkpoint (an unclean stop); their stores are rebuilt from the changelog", removed);
        }
        return removed;
    }

    private static boolean holdsStores(Path task) throws IOException {
        try (Stream<Path> files = Files.list(task)) {
            return files.findAny().isPresent();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
