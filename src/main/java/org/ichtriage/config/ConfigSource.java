package org.ichtriage.config;

/** Where an effective setting came from; later sources override earlier ones. */
public enum ConfigSource {
    DEFAULT, FILE, ENVIRONMENT, COMMAND_LINE
}
