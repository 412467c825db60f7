package org.ichtriage.pipeline;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.ichtriage.analysis.ReceivedInstance;

/**
 * Binary layout of a stored slice: version byte, partition, offset, receive time, UID, Part 10 bytes.
 * Binary rather than JSON because the value is mostly pixel data, written once to the changelog.
 */
public final class ReceivedInstanceSerde implements Serde<ReceivedInstance> {
    private static final byte VERSION = 1;

    @Override
    public Serializer<ReceivedInstance> serializer() {
        return (topic, r) -> {
            if (r == null) {
                return null;
            }
            byte[] uid = r.sopInstanceUid().getBytes(StandardCharsets.US_ASCII);
            ByteBuffer b = ByteBuffer.allocate(1 + 4 + 8 + 8 + 2 + uid.length + r.part10().length);
            b.put(VERSION).putInt(r.partition()).putLong(r.offset()).putLong(r.receivedAtMs())
                    .putShort((short) uid.length).put(uid).put(r.part10());
            return b.array();
        };
    }

    @Override
    public Deserializer<ReceivedInstance> deserializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(data);
            if (data.length < 23 || b.get() != VERSION) {
                throw new SerializationException("stored instance: unknown layout version or truncated record of " + data.length + " bytes");
            }
            int partition = b.getInt();
            long offset = b.getLong();
            long receivedAt = b.getLong();
            int uidLength = b.getShort() & 0xFFFF;
            if (uidLength > b.remaining()) {
                throw new SerializationException("stored instance: UID length " + uidLength + " exceeds the record");
            }
            byte[] uid = new byte[uidLength];
            b.get(uid);
            byte[] part10 = new byte[b.remaining()];
            b.get(part10);
            return new ReceivedInstance(new String(uid, StandardCharsets.US_ASCII), partition, offset, receivedAt, part10);
        };
    }
}
