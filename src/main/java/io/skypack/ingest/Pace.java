package io.skypack.ingest;

import java.time.Duration;
import java.util.Locale;

/**
 * How fast a recorded flight is replayed: {@code original} (its capture times), {@code fast} (as fast as
 * the producer can send) or {@code xN} (N times the original speed, e.g. {@code x2}, {@code x0.5}).
 */
public record Pace(double speed) {
    public static final Pace ORIGINAL = new Pace(1);
    public static final Pace FAST = new Pace(Double.POSITIVE_INFINITY);

    public Pace {
        if (!(speed > 0)) throw new IllegalArgumentException("pace speed must be > 0: " + speed);
    }

    public static Pace parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (v.equals("original")) return ORIGINAL;
        if (v.equals("fast")) return FAST;
        if (v.startsWith("x")) {
            try {
                return new Pace(Double.parseDouble(v.substring(1)));
            } catch (IllegalArgumentException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("pace must be original, fast or xN (e.g. x2, x0.5), got '" + s + "'");
    }

    /** When a frame captured {@code offset} after the first is due, after the replay started. */
    public Duration due(Duration offset) {
        if (Double.isInfinite(speed)) return Duration.ZERO;
        return Duration.ofNanos(Math.round(offset.toNanos() / speed));
    }
}
