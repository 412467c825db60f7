package org.ichtriage.cli;

import java.util.Map;
import java.util.concurrent.Callable;

import org.ichtriage.config.IchConfig;
import org.ichtriage.config.ResolvedSettings;
import org.ichtriage.config.Setting;
import org.ichtriage.config.Settings;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Print the effective configuration, its sources, and validate it. Secrets are masked.",
        footer = {"", "Example:", "  ICH_DICOM_PORT=11113 ich-triage config --set http.port=9090"})
final class ConfigCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() {
        ResolvedSettings resolved = options.resolve(Map.of());
        IchConfig.from(resolved); // validates: a bad value stops here with one line
        java.nio.file.Path file = options.effectiveConfigFile(System.getenv());
        System.out.println("# config file: " + (file == null
                ? "none (--config FILE, ICH_CONFIG, or ./" + ConfigOptions.DEFAULT_CONFIG_FILE + " when it exists)" : file));
        for (Setting s : Settings.ALL) {
            ResolvedSettings.Value v = resolved.get(s.key());
            String shown = s.secret() && !v.raw().isEmpty() ? "****" : v.raw();
            System.out.printf("%-36s = %-28s # %s, env %s%n", s.key(), shown,
                    v.source().name().toLowerCase().replace('_', ' '), s.envVar());
        }
        return 0;
    }
}
