package org.ichtriage.phantom;

/** A phantom setting outside what the generator supports; names the setting and the rejected value. */
public final class PhantomSpecException extends IllegalArgumentException {
    private final String setting;
    private final String value;

    public PhantomSpecException(String setting, Object value, String allowed) {
        super("phantom setting " + setting + "=" + value + " not allowed: " + allowed);
        this.setting = setting;
        this.value = String.valueOf(value);
    }

    public String setting() {
        return setting;
    }

    public String value() {
        return value;
    }
}
