package org.ichtriage.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ONNX Runtime session of a SLEX-Net graph. Create one per worker thread; the process-wide
 * {@link OrtEnvironment} is shared. The session is created from the very bytes whose sha256 was
 * checked against the card, so the model that runs is the one that was verified.
 */
public final class SegmentationModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentationModel.class);
    public static final String INPUT = "slices";

    /**
     * @param intraOpThreads ONNX Runtime intra-op threads (0 lets ORT choose)
     * @param chunkSlices    slices per inference call; 0 runs the whole volume in one call
     */
    public record Options(ProviderPreference provider, int intraOpThreads, int chunkSlices) {
        public Options {
            if (provider == null) throw new IllegalArgumentException("provider preference is required");
            if (intraOpThreads < 0) throw new IllegalArgumentException("intraOpThreads must be >= 0, was " + intraOpThreads);
            if (chunkSlices < 0) throw new IllegalArgumentException("chunkSlices must be >= 0, was " + chunkSlices);
        }

        public static Options defaults() {
            return new Options(ProviderPreference.AUTO, 2, 0);
        }
    }

    private final ModelCard card;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String provider;
    private final String fallbackReason;
    private final String sha256;
    private final Options options;
    private boolean closed;

    private SegmentationModel(ModelCard card, OrtEnvironment env, OrtSession session, String provider,
                              String fallbackReason, String sha256, Options options) {
        this.card = card;
        this.env = env;
        this.session = session;
        this.provider = provider;
        this.fallbackReason = fallbackReason;
        this.sha256 = sha256;
        this.options = options;
    }

    /** Loads the card at {@code cardFile} and the ONNX file it names, verifying the sha256. */
    public static SegmentationModel open(Path cardFile, Options options) throws ModelException {
        ModelCard card = ModelCard.read(cardFile);
        Path onnx = card.onnxPath(cardFile);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(onnx);
        } catch (IOException e) {
            throw new ModelException("cannot read model file " + onnx + ": " + e.getMessage(), e);
        }
        String actual = sha256Hex(bytes);
        if (!actual.equalsIgnoreCase(card.sha256())) {
            throw new ModelIntegrityException(onnx.toString(), card.sha256().toLowerCase(Locale.ROOT), actual);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        String fallback = null;
        if (options.provider() != ProviderPreference.CPU) {
            try (OrtSession.SessionOptions so = baseOptions(options)) {
                so.addCUDA(0);
                OrtSession s = env.createSession(bytes, so);
                LOG.info("model {} {} (sha256 {}) runs on CUDA", card.name(), card.version(), actual);
                return new SegmentationModel(card, env, s, "CUDA", null, actual, options);
            } catch (OrtException | RuntimeException e) {
                // The CPU jar throws at addCUDA; the GPU jar without a GPU throws at addCUDA or at
                // session creation. Either way a fresh option set is needed: a failed addCUDA can
                // leave the old one half-configured.
                fallback = e.getClass().getSimpleName() + ": " + e.getMessage();
                if (options.provider() == ProviderPreference.CUDA) {
                    LOG.warn("CUDA was requested but is unavailable, falling back to CPU: {}", fallback);
                } else {
                    LOG.info("CUDA unavailable, using CPU: {}", fallback);
                }
            }
        }
        try (OrtSession.SessionOptions so = baseOptions(options)) {
            OrtSession s = env.createSession(bytes, so);
            LOG.info("model {} {} (sha256 {}) runs on CPU with {} intra-op thread(s)", card.name(), card.version(),
                    actual, options.intraOpThreads());
            return new SegmentationModel(card, env, s, "CPU", fallback, actual, options);
        } catch (OrtException e) {
            throw new ModelException("cannot create a CPU session for " + onnx + ": " + e.getMessage(), e);
        }
    }

    private static OrtSession.SessionOptions baseOptions(Options options) throws ModelException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            if (options.intraOpThreads() > 0) so.setIntraOpNumThreads(options.intraOpThreads());
            so.setInterOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        } catch (OrtException e) {
            so.close();
            throw new ModelException("invalid session options " + options + ": " + e.getMessage(), e);
        }
        return so;
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
    }

    public ModelCard card() {
        return card;
    }

    /** "CUDA" or "CPU": the provider the session actually runs on. */
    public String provider() {
        return provider;
    }

    /** Why CUDA was not used, when it was tried and failed. */
    public Optional<String> fallbackReason() {
        return Optional.ofNullable(fallbackReason);
    }

    public String modelSha256() {
        return sha256;
    }

    public Options options() {
        return options;
    }

    /**
     * Runs the whole preprocessed volume, in one call or in chunks of {@code chunkSlices} with one
     * neighbour slice of context on each side. SLEX-Net looks only at slices i-1, i and i+1 (the
     * SEM maps the neighbours' backbone predictions onto i), so the core of each chunk equals the
     * whole-volume result; at the volume's ends the graph's own edge replication applies.
     */
    public ModelOutput run(PreprocessedVolume volume) throws ModelException {
        return run(volume.inputView(), volume.slices(), volume.size());
    }

    ModelOutput run(float[] input, int slices, int size) throws ModelException {
        if (size != card.inputSize()) {
            throw new ModelException("input size " + size + " does not match the model card's " + card.inputSize());
        }
        int plane = size * size;
        int chunk = options.chunkSlices() == 0 ? slices : options.chunkSlices();
        if (chunk >= slices) return call(input, 0, slices, size);
        float[] prob = new float[slices * plane];
        float[] hyp = new float[3 * slices * plane];
        float[] ent = new float[slices * plane];
        for (int core = 0; core < slices; core += chunk) {
            int coreEnd = Math.min(core + chunk, slices);
            int from = Math.max(core - 1, 0);
            int to = Math.min(coreEnd + 1, slices);
            ModelOutput part = call(input, from, to - from, size);
            int skip = core - from;
            int n = coreEnd - core;
            System.arraycopy(part.prob(), skip * plane, prob, core * plane, n * plane);
            System.arraycopy(part.entropy(), skip * plane, ent, core * plane, n * plane);
            System.arraycopy(part.hypotheses(), 3 * skip * plane, hyp, 3 * core * plane, 3 * n * plane);
        }
        return new ModelOutput(slices, size, prob, hyp, ent);
    }

    private ModelOutput call(float[] input, int first, int count, int size) throws ModelException {
        int plane = size * size;
        FloatBuffer buf = FloatBuffer.wrap(input, first * plane, count * plane).slice();
        long[] shape = {count, 1, size, size};
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, buf, shape);
             OrtSession.Result result = session.run(Map.of(INPUT, tensor))) {
            float[] prob = output(result, "prob", count * plane);
            float[] hyp = output(result, "hypotheses", 3 * count * plane);
            float[] ent = output(result, "entropy", count * plane);
            return new ModelOutput(count, size, prob, hyp, ent);
        } catch (OrtException e) {
            throw new ModelException("inference failed for " + count + " slice(s) of " + size + "x" + size + " on "
                    + provider + ": " + e.getMessage(), e);
        }
    }

    private static float[] output(OrtSession.Result result, String name, int expected) throws ModelException {
        Optional<OnnxValue> v = result.get(name);
        if (v.isEmpty() || !(v.get() instanceof OnnxTensor t)) {
            throw new ModelException("model has no tensor output '" + name + "'");
        }
        FloatBuffer fb = t.getFloatBuffer();
        if (fb == null || fb.remaining() != expected) {
            throw new ModelException("output '" + name + "' has " + (fb == null ? "no float data" : fb.remaining()
                    + " values") + ", expected " + expected);
        }
        float[] out = new float[expected];
        fb.get(out);
        return out;
    }

    @Override
    public synchronized void close() throws ModelException {
        // idempotent: a replay's analyzer and the replay itself may both close the one model they share
        if (closed) {
            return;
        }
        closed = true;
        try {
            session.close();
        } catch (OrtException e) {
            throw new ModelException("closing the session failed: " + e.getMessage(), e);
        }
    }
}
