package org.ichtriage.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Counts analyses that were started and never finished, one small file per series, synced to disk
 * before the analysis begins. It lives outside Kafka Streams on purpose: under exactly-once a worker
 * killed inside an analysis (OOM, kill -9) aborts its transaction, so a count kept in a state store
 * would be rolled back with everything else and the same series would kill every restart.
 *
 * <p>The folder is the worker's own ({@code <state.dir>/streams/analysis-attempts/<application id>}):
 * a series that moves to another worker starts counting there again, so a poison series costs at most
 * the limit on each worker that picks it up (docs/decisions/reliability.md).
 */
public final class AnalysisAttempts {
    private final Path dir;
    private final int maxAttempts;

    public AnalysisAttempts(Path dir, int maxAttempts) {
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        this.dir = dir;
        this.maxAttempts = maxAttempts;
    }

    /** The verdict on starting an analysis: go ahead (the attempt is recorded), or give up. */
    public sealed interface Start {
        /** @param attempt 1 for the first start of this series' analysis */
        record Proceed(int attempt) implements Start {}

        /** @param unfinished how many earlier starts never finished */
        record GiveUp(int unfinished) implements Start {}
    }

    /**
     * Records one more start of the analysis of {@code seriesUid}, durably, unless earlier starts in a
     * row already reached the limit. Revisions share the count: a later revision holds the earlier one's slices.
     */
    public Start begin(String seriesUid) {
        Path f = fileOf(seriesUid);
        try {
            Files.createDirectories(dir);
            int unfinished = Files.exists(f) ? parse(Files.readString(f, StandardCharsets.US_ASCII)) : 0;
            if (unfinished >= maxAttempts) {
                return new Start.GiveUp(unfinished);
            }
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap(Integer.toString(unfinished + 1).getBytes(StandardCharsets.US_ASCII)));
                // the count must be on disk before the analysis that may take the process down begins
                ch.force(true);
            }
            return new Start.Proceed(unfinished + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the analysis attempt of series " + seriesUid + " in " + dir, e);
        }
    }

    /** The analysis ended (in a result or a refusal): the series is no longer suspect. */
    public void finished(String seriesUid) {
        try {
            Files.deleteIfExists(fileOf(seriesUid));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear the analysis attempt of series " + seriesUid + " in " + dir, e);
        }
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /** A corrupt count (a crash inside the write) counts as one unfinished start. */
    private static int parse(String s) {
        try {
            return Math.max(1, Integer.parseInt(s.trim()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** Series keys come from senders: hashed, so that no key can name a path outside the folder. */
    private Path fileOf(String seriesUid) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(seriesUid.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(h, 0, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
    }
}
