package io.skypack.app;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The accounting of "no frame lost, none duplicated": which input frames were sent (acknowledged by the
 * broker) and which results came out for each, a frame being one flight id and frame index. Every sent
 * frame must end with exactly one outcome: detected, skipped (stale, live configuration) or
 * dead-lettered. The soak command and the crash tests count with it. Thread-safe: a producer callback
 * may record sends while another thread records results.
 */
final class FrameLedger {
    /** What came out for a frame. */
    enum Outcome {
        /** A detections record from the detector. */
        DETECTED,
        /** A detections record marked skipped (stale in the live configuration): counted, not inferred. */
        SKIPPED,
        /** A record on the dead-letter topic. */
        DEAD_LETTERED
    }

    /**
     * The accounting at one moment. {@code out}, {@code deadLettered} and {@code skipped} count sent frames
     * by their first outcome; {@code duplicates} counts every result beyond a frame's first; {@code gaps}
     * sent frames without any result; {@code unexpected} results for frames that were never sent.
     */
    record Tally(long in, long out, long deadLettered, long skipped, long duplicates, long gaps, long unexpected) {
        /** No duplicates, no gaps, nothing unexpected, and in = out + dead-lettered + skipped. */
        boolean balanced() {
            return duplicates == 0 && gaps == 0 && unexpected == 0 && in == out + deadLettered + skipped;
        }
    }

    private final Set<String> sent = new LinkedHashSet<>();
    private final Map<String, Outcome> first = new HashMap<>();
    private final Map<String, Integer> results = new HashMap<>();

    private static String key(String flightId, long frameIndex) {
        return flightId + "#" + frameIndex;
    }

    synchronized void sent(String flightId, long frameIndex) {
        sent.add(key(flightId, frameIndex));
    }

    synchronized void result(String flightId, long frameIndex, Outcome outcome) {
        String k = key(flightId, frameIndex);
        first.putIfAbsent(k, outcome);
        results.merge(k, 1, Integer::sum);
    }

    /** Frames (sent or not) with at least one result so far. */
    synchronized int framesWithResult() {
        return first.size();
    }

    synchronized int framesSent() {
        return sent.size();
    }

    synchronized Tally tally() {
        long out = 0, dead = 0, skipped = 0, gaps = 0, unexpected = 0, duplicates = 0;
        for (String k : sent) {
            Outcome o = first.get(k);
            if (o == null) {
                gaps++;
                continue;
            }
            switch (o) {
                case DETECTED -> out++;
                case SKIPPED -> skipped++;
                case DEAD_LETTERED -> dead++;
            }
        }
        for (var e : results.entrySet()) {
            duplicates += e.getValue() - 1;
            if (!sent.contains(e.getKey())) unexpected++;
        }
        return new Tally(sent.size(), out, dead, skipped, duplicates, gaps, unexpected);
    }

    /** Up to {@code max} sent frames without a result and frames with more than one, for a failure message. */
    synchronized String problems(int max) {
        List<String> missing = new ArrayList<>(), twice = new ArrayList<>();
        for (String k : sent) {
            if (!first.containsKey(k) && missing.size() < max) missing.add(k);
        }
        for (var e : results.entrySet()) {
            if (e.getValue() > 1 && twice.size() < max) twice.add(e.getKey() + " x" + e.getValue());
        }
        return "no result for " + missing + ", more than one for " + twice;
    }
}
