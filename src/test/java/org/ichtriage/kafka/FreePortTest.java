package org.ichtriage.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortTest {
    /** Two listeners of one broker once got the same port; a port is now never handed out twice in a JVM. */
    @Test
    void noPortIsHandedOutTwice() {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 300; i++) seen.add(EmbeddedKafka.freePort("127.0.0.1"));
        assertEquals(300, seen.size());
    }
}
