package io.skypack.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.app.FrameLedger.Outcome;
import org.junit.jupiter.api.Test;

class FrameLedgerTest {
    @Test
    void shouldBalanceWhenEveryFrameHasExactlyOneOutcome() {
        FrameLedger ledger = new FrameLedger();
        for (int i = 0; i < 4; i++) ledger.sent("a", i);
        ledger.result("a", 0, Outcome.DETECTED);
        ledger.result("a", 1, Outcome.SKIPPED);
        ledger.result("a", 2, Outcome.DEAD_LETTERED);
        ledger.result("a", 3, Outcome.DETECTED);
        assertEquals(new FrameLedger.Tally(4, 2, 1, 1, 0, 0, 0), ledger.tally());
        assertTrue(ledger.tally().balanced());
    }

    @Test
    void shouldCountDuplicatesGapsAndResultsForFramesNeverSent() {
        FrameLedger ledger = new FrameLedger();
        for (int i = 0; i < 3; i++) ledger.sent("a", i);
        ledger.sent("b", 0);
        ledger.result("a", 0, Outcome.DETECTED);
        ledger.result("a", 0, Outcome.DETECTED);
        ledger.result("a", 0, Outcome.SKIPPED);
        ledger.result("b", 0, Outcome.DEAD_LETTERED);
        ledger.result("b", 7, Outcome.DETECTED);
        FrameLedger.Tally t = ledger.tally();
        // a#0 counts once (by its first outcome) plus two duplicates; a#1 and a#2 are gaps; b#7 unexpected
        assertEquals(new FrameLedger.Tally(4, 1, 1, 0, 2, 2, 1), t);
        assertFalse(t.balanced());
        assertEquals(3, ledger.framesWithResult());
        assertTrue(ledger.problems(5).contains("a#1"), ledger.problems(5));
        assertTrue(ledger.problems(5).contains("a#0 x3"), ledger.problems(5));
    }

    @Test
    void shouldNotBalanceWhenAResultIsStillMissing() {
        FrameLedger ledger = new FrameLedger();
        ledger.sent("a", 0);
        assertEquals(new FrameLedger.Tally(1, 0, 0, 0, 0, 1, 0), ledger.tally());
        assertFalse(ledger.tally().balanced());
    }
}
