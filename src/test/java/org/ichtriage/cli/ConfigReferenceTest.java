package org.ichtriage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.ichtriage.config.Setting;
import org.ichtriage.config.Settings;
import org.junit.jupiter.api.Test;

/** The documented settings are the settings: the reference is generated, the README's table names only real ones. */
class ConfigReferenceTest {
    @Test
    void docsConfigurationIsTheGeneratedReference() throws IOException {
        assertEquals(ConfigCommand.reference(), Files.readString(Path.of("docs/configuration.md")),
                "docs/configuration.md is stale: run `bin/ich-triage config --reference > docs/configuration.md`");
        for (Setting s : Settings.ALL) {
            assertTrue(ConfigCommand.reference().contains("| `" + s.key() + "` |"), s.key());
        }
    }

    @Test
    void theReadmeTableNamesRealSettingsAndTheEmbeddedPort() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String table = readme.substring(readme.indexOf("## Configuration"), readme.indexOf("## Commands"));
        int seen = 0;
        for (String row : table.lines().filter(l -> l.startsWith("| `")).toList()) {
            Matcher key = Pattern.compile("`([^`]+)`").matcher(row.split("\\|")[1]); // the first cell names the settings
            while (key.find()) {
                assertTrue(Settings.byKey(key.group(1)).isPresent(), "README names a setting that does not exist: " + key.group(1));
                seen++;
            }
        }
        assertTrue(seen >= 15, "read " + seen + " setting names from the README table");
        assertTrue(table.contains("`kafka.embedded.port`"), table);
        assertTrue(table.contains("docs/configuration.md"), "the README links the complete reference");
    }
}
