package org.ichtriage.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.ichtriage.config.ConfigException;
import org.ichtriage.config.IchConfig;
import org.ichtriage.config.ResolvedSettings;

import picocli.CommandLine.Option;

/** Options shared by every command that reads the configuration. Flags beat environment beats file. */
public final class ConfigOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "properties file with settings (also ICH_CONFIG; else ./ich-triage.properties when it exists)")
    Path configFile;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,..]",
            description = "external Kafka; no broker is embedded when set (also KAFKA_BOOTSTRAP_SERVERS)")
    String bootstrapServers;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "local state folder (default .state)")
    String stateDir;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "any setting, e.g. --set dicom.port=11113; repeatable")
    Map<String, String> set = new LinkedHashMap<>();

    Map<String, String> commandLineSettings() {
        Map<String, String> cli = new LinkedHashMap<>(set);
        if (bootstrapServers != null) {
            cli.put("kafka.bootstrap-servers", bootstrapServers);
        }
        if (stateDir != null) {
            cli.put("state.dir", stateDir);
        }
        return cli;
    }

    /** Read when neither --config nor ICH_CONFIG names a file: the service and the tools run beside it share it. */
    static final Path DEFAULT_CONFIG_FILE = Path.of("ich-triage.properties");

    Path effectiveConfigFile(Map<String, String> env) {
        if (configFile != null) {
            return configFile;
        }
        String fromEnv = env.get("ICH_CONFIG");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        return java.nio.file.Files.isRegularFile(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : null;
    }

    public ResolvedSettings resolve(Map<String, String> extra) {
        Map<String, String> env = System.getenv();
        Map<String, String> cli = commandLineSettings();
        cli.putAll(extra);
        ResolvedSettings resolved = ResolvedSettings.resolve(effectiveConfigFile(env), env, cli);
        String warning = unknownEnvironmentWarning(resolved.unknownEnvironment());
        if (warning != null) {
            System.err.println(warning);
        }
        return resolved;
    }

    /** One line naming the ignored ICH_ variables, or null when there are none. */
    static String unknownEnvironmentWarning(java.util.List<String> unknown) {
        if (unknown.isEmpty()) {
            return null;
        }
        return "ich-triage: warning: ignored environment variable" + (unknown.size() == 1 ? " " : "s ") + String.join(", ", unknown)
                + ": not a setting (`ich-triage config` lists each setting's variable)";
    }

    public IchConfig load(Map<String, String> extra) throws ConfigException {
        return IchConfig.from(resolve(extra));
    }
}
