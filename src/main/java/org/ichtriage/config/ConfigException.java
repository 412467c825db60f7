package org.ichtriage.config;

/** A user error in the configuration: names the setting, the bad value and what is allowed. */
public final class ConfigException extends RuntimeException {
    private final String setting;

    public ConfigException(String setting, String message) {
        super(setting + ": " + message);
        this.setting = setting;
    }

    public String setting() {
        return setting;
    }
}
