package org.ichtriage.alerts;

import org.ichtriage.events.TriageCategory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which results one output sends. A first result is sent when its category is at least
 * {@code minCategory}. A revision of a series is sent when its category differs from the last one this
 * output saw for that series, or always with {@link Revisions#ALL}; a revision that takes back a
 * verdict that was sent (positive, then negative) is sent even below the minimum, as the correction of
 * what the receiver already has. The memory of earlier verdicts is per process and bounded: after a
 * restart a revision counts as a first result.
 */
public final class DeliveryRule {
    public enum Revisions { ALL, CHANGED;

        public static Revisions parse(String s) {
            return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "all" -> ALL;
                case "changed" -> CHANGED;
                default -> throw new IllegalArgumentException("'" + s + "' is not allowed; give changed or all");
            };
        }
    }

    /** Why a result is sent or not; {@code reason} goes into the status record. */
    public record Decision(boolean send, String reason) {}

    /** The last event of a series: its verdict, whether any alert went out for the series, and the decision. */
    private record Seen(String eventId, TriageCategory category, boolean sent, Decision decision) {}

    static final int MEMORY = 20_000;

    private final TriageCategory minCategory;
    private final Revisions revisions;
    private final Map<String, Seen> seen = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
            return size() > MEMORY;
        }
    };

    public DeliveryRule(TriageCategory minCategory, Revisions revisions) {
        this.minCategory = minCategory;
        this.revisions = revisions;
    }

    public TriageCategory minCategory() {
        return minCategory;
    }

    public Revisions revisions() {
        return revisions;
    }

    /** Decides for one event and remembers its verdict. Called by one delivery thread only. */
    public synchronized Decision decide(AlertEvent e) {
        String series = e.seriesInstanceUid() == null ? e.studyInstanceUid() : e.seriesInstanceUid();
        Seen before = seen.get(series);
        if (before != null && before.eventId().equals(e.eventId())) {
            // the same event read again (a failed status write, a rebalance): the same answer
            return before.decision();
        }
        boolean enough = e.category().atLeast(minCategory);
        Decision d;
        if (before == null || !e.isRevision()) {
            d = enough ? new Decision(true, "category " + e.category().wire())
                    : new Decision(false, "category " + e.category().wire() + " below " + minCategory.wire());
        } else if (before.category() != e.category()) {
            if (enough) {
                d = new Decision(true, "revision changes the verdict " + before.category().wire() + " -> " + e.category().wire());
            } else if (before.sent()) {
                d = new Decision(true, "revision takes back the sent verdict " + before.category().wire() + " -> " + e.category().wire());
            } else {
                d = new Decision(false, "category " + e.category().wire() + " below " + minCategory.wire());
            }
        } else if (revisions == Revisions.ALL && enough) {
            d = new Decision(true, "revision, verdict unchanged (" + e.category().wire() + "), revisions=all");
        } else {
            d = new Decision(false, enough ? "revision does not change the verdict " + e.category().wire()
                    : "category " + e.category().wire() + " below " + minCategory.wire());
        }
        seen.put(series, new Seen(e.eventId(), e.category(), d.send() || (before != null && before.sent()), d));
        return d;
    }

    @Override
    public String toString() {
        return "min-category=" + minCategory.wire() + ", revisions=" + revisions.name().toLowerCase(java.util.Locale.ROOT);
    }
}
