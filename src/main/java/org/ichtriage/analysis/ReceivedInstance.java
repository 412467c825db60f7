package org.ichtriage.analysis;

/** One instance as the assembly store keeps it: its Part 10 bytes and where on the input topic it came from. */
public record ReceivedInstance(String sopInstanceUid, int partition, long offset, long receivedAtMs, byte[] part10) {}
