package org.ichtriage.config;

import java.util.Locale;

/**
 * One configuration setting: its key in the config file, its environment variable, its default and
 * whether its value is a secret (masked by {@code ich-triage config} and never logged).
 */
public record Setting(String key, String defaultValue, boolean secret, String help) {

    /** ICH_ + the key upper-cased with '.' and '-' as '_', e.g. dicom.ae-title -> ICH_DICOM_AE_TITLE. */
    public String envVar() {
        return "ICH_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    static Setting of(String key, String defaultValue, String help) {
        return new Setting(key, defaultValue, false, help);
    }

    static Setting secret(String key, String help) {
        return new Setting(key, "", true, help);
    }
}
