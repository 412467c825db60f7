package org.ichtriage.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The raw effective value of every setting, with its source. Precedence: command line, then
 * environment, then config file, then defaults. Unknown keys are refused so a typo cannot be
 * silently ignored.
 */
public final class ResolvedSettings {
    public record Value(String raw, ConfigSource source) {}

    /** ICH_ variables that are read but are not settings: the config file's path and the log level (logback.xml). */
    public static final Set<String> OTHER_ICH_VARIABLES = Set.of("ICH_CONFIG", "ICH_LOG_LEVEL");

    private final Map<String, Value> values;
    private final List<String> unknownEnvironment;

    private ResolvedSettings(Map<String, Value> values, List<String> unknownEnvironment) {
        this.values = Collections.unmodifiableMap(values);
        this.unknownEnvironment = List.copyOf(unknownEnvironment);
    }

    public static ResolvedSettings resolve(Path configFile, Map<String, String> env, Map<String, String> cli) {
        Map<String, Value> v = new LinkedHashMap<>();
        for (Setting s : Settings.ALL) {
            v.put(s.key(), new Value(s.defaultValue(), ConfigSource.DEFAULT));
        }
        if (configFile != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (NoSuchFileException e) {
                throw new ConfigException("--config", "file " + configFile + " does not exist");
            } catch (IOException e) {
                throw new ConfigException("--config", "cannot read " + configFile + ": " + e.getMessage());
            }
            for (String key : p.stringPropertyNames()) {
                requireKnown(key, "config file " + configFile);
                v.put(key, new Value(p.getProperty(key).trim(), ConfigSource.FILE));
            }
        }
        for (Setting s : Settings.ALL) {
            String e = env.get(s.envVar());
            if (e != null) {
                v.put(s.key(), new Value(e.trim(), ConfigSource.ENVIRONMENT));
            }
        }
        // The name every Kafka tool and container image uses.
        String standardBootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS");
        if (standardBootstrap != null && !env.containsKey("ICH_KAFKA_BOOTSTRAP_SERVERS")) {
            v.put("kafka.bootstrap-servers", new Value(standardBootstrap.trim(), ConfigSource.ENVIRONMENT));
        }
        for (Map.Entry<String, String> e : cli.entrySet()) {
            requireKnown(e.getKey(), "the command line");
            v.put(e.getKey(), new Value(e.getValue().trim(), ConfigSource.COMMAND_LINE));
        }
        return new ResolvedSettings(v, unknownIchVariables(env));
    }

    /**
     * ICH_ variables that name no setting, sorted. They cannot be refused like unknown keys in a file
     * (the environment of a container or a shell carries other tools' variables too), but a misspelt
     * ICH_DICOM_PROT silently running on the default port must at least be said.
     */
    static List<String> unknownIchVariables(Map<String, String> env) {
        Set<String> known = new TreeSet<>(OTHER_ICH_VARIABLES);
        Settings.ALL.forEach(s -> known.add(s.envVar()));
        return env.keySet().stream().filter(k -> k.startsWith("ICH_") && !known.contains(k)).sorted().toList();
    }

    /** ICH_ environment variables that are not settings (and so were ignored), sorted; empty when none. */
    public List<String> unknownEnvironment() {
        return unknownEnvironment;
    }

    private static void requireKnown(String key, String where) {
        if (Settings.byKey(key).isEmpty()) {
            throw new ConfigException(key, "unknown setting in " + where + "; `ich-triage config` lists every setting");
        }
    }

    public Value get(String key) {
        Value v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no such setting " + key);
        }
        return v;
    }

    public Map<String, Value> all() {
        return values;
    }
}
