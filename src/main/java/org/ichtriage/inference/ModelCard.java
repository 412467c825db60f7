package org.ichtriage.inference;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The model card {@code models/<name>.json} (docs/model-interface.md). Free-form sections
 * (training, metrics) are not read here; they stay in the file for people.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelCard(
        @JsonProperty("name") String name,
        @JsonProperty("version") String version,
        @JsonProperty("onnx") String onnx,
        @JsonProperty("sha256") String sha256,
        @JsonProperty("input_size") int inputSize,
        @JsonProperty("preprocessing_version") int preprocessingVersion,
        @JsonProperty("fusion") String fusion,
        @JsonProperty("beta") double beta,
        @JsonProperty("high_uncertainty_threshold") double highUncertaintyThreshold,
        @JsonProperty("intended_use") String intendedUse,
        @JsonProperty("limitations") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) java.util.List<String> limitations) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Reads and checks a card; the ONNX file is resolved next to it. */
    public static ModelCard read(Path cardFile) throws ModelException {
        ModelCard card;
        try {
            card = MAPPER.readValue(Files.readAllBytes(cardFile), ModelCard.class);
        } catch (IOException e) {
            throw new ModelException("cannot read model card " + cardFile + ": " + e.getMessage(), e);
        }
        card.validate(cardFile);
        return card;
    }

    private void validate(Path file) throws ModelException {
        require(name != null && !name.isBlank(), file, "name is missing");
        require(version != null && !version.isBlank(), file, "version is missing");
        require(onnx != null && !onnx.isBlank() && !onnx.contains("/") && !onnx.contains("\\"), file,
                "onnx must be a plain file name next to the card, was " + onnx);
        require(sha256 != null && sha256.toLowerCase(Locale.ROOT).matches("[0-9a-f]{64}"), file,
                "sha256 must be 64 hex digits, was " + sha256);
        require(inputSize >= 8 && inputSize <= 4096, file, "input_size must be in 8..4096, was " + inputSize);
        require(Preprocessor.supports(preprocessingVersion), file, "preprocessing_version "
                + preprocessingVersion + " is not supported (this build implements 1.." + Preprocessor.PREPROCESSING_VERSION + ")");
        require(Double.isFinite(highUncertaintyThreshold) && highUncertaintyThreshold >= 0, file,
                "high_uncertainty_threshold must be a finite number >= 0");
    }

    private static void require(boolean ok, Path file, String what) throws ModelException {
        if (!ok) throw new ModelException("model card " + file + ": " + what);
    }

    /** The ONNX file this card describes, in the card's folder. */
    public Path onnxPath(Path cardFile) {
        Path dir = cardFile.toAbsolutePath().getParent();
        return dir.resolve(onnx);
    }
}
