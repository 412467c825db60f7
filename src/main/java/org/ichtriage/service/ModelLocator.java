package org.ichtriage.service;

import java.nio.file.Files;
import java.nio.file.Path;

import org.ichtriage.config.ConfigException;

/**
 * Finds the model card for the configured model path. A relative path is tried against the working
 * directory, then against the installation (-Dich.home, set by bin/ich-triage).
 */
public final class ModelLocator {
    private ModelLocator() {}

    public static Path cardFor(Path modelPath) {
        Path resolved = resolve(modelPath);
        String name = resolved.getFileName().toString();
        Path card = name.endsWith(".json") ? resolved
                : resolved.resolveSibling(name.endsWith(".onnx") ? name.substring(0, name.length() - 5) + ".json" : name + ".json");
        if (!Files.isRegularFile(card)) {
            throw new ConfigException("model.path", "no model card " + card + " next to the model; give the .onnx whose .json card sits beside it");
        }
        return card;
    }

    private static Path resolve(Path p) {
        if (p.isAbsolute() || Files.exists(p)) {
            return p.toAbsolutePath();
        }
        String home = System.getProperty("ich.home");
        if (home != null && Files.exists(Path.of(home).resolve(p))) {
            return Path.of(home).resolve(p);
        }
        return p.toAbsolutePath();
    }
}
