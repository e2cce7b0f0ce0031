package io.skypack.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameBatcher} on Kafka's {@link MockProcessorContext}: wall-clock time is set by hand and
 * the budget punctuator is fired by hand. Frames are strings; the batcher does not look at them.
 */
class FrameBatcherTest {
    private static final String STORE = "frame-batcher-buffer";
    private static final Duration BUDGET = Duration.ofMillis(100);
    private static final long T0 = 1_000_000L;

    private MockProcessorContext<String, List<BufferedFrame<String, String>>> context;
    private KeyValueStore<Long, BufferedFrame<String, String>> store;

    @BeforeEach
    void setUp() {
        context = new MockProcessorContext<>();
        store = FrameBatcher.bufferStore(STORE, Serdes.String(), Serdes.String())
                .withLoggingDisabled() // the mock context has no changelog to write to
                .build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        context.setCurrentSystemTimeMs(T0);
    }

    private FrameBatcher<String, String> batcher(int maxBatch) {
        FrameBatcher<String, String> batcher =
                new FrameBatcher<>(BatchingConfig.of(maxBatch, BUDGET), STORE, context::currentSystemTimeMs);
        batcher.init(context);
        return batcher;
    }

    /** Receives a frame at wall-clock time {@code atMs}; its record timestamp is {@code atMs - 5}. */
    private void receive(FrameBatcher<String, String> batcher, String flight, String frame, long atMs) {
        context.setCurrentSystemTimeMs(atMs);
        batcher.process(new Record<>(flight, frame, atMs - 5));
    }

    /** Fires the budget punctuator as the stream thread would at wall-clock time {@code atMs}. */
    private void tick(long atMs) {
        context.setCurrentSystemTimeMs(atMs);
        List<CapturedPunctuator> punctuators = context.scheduledPunctuators();
        assertEquals(1, punctuators.size());
        punctuators.get(0).getPunctuator().punctuate(atMs);
    }

    private List<Record<String, List<String>>> forwarded() {
        List<Record<String, List<String>>> records = new ArrayList<>();
        for (CapturedForward<? extends String, ? extends List<BufferedFrame<String, String>>> f : context.forwarded()) {
            records.add(new Record<>(
                    f.record().key(),
                    f.record().value().stream().map(BufferedFrame::value).toList(),
                    f.record().timestamp()));
        }
        return records;
    }

    private List<List<String>> batches() {
        return forwarded().stream().map(Record::value).toList();
    }

    @Test
    void shouldScheduleAWallClockPunctuatorAtTheCheckInterval() {
        batcher(4);
        CapturedPunctuator p = context.scheduledPunctuators().get(0);
        assertEquals(PunctuationType.WALL_CLOCK_TIME, p.getType());
        assertEquals(Duration.ofMillis(10), p.getInterval());
    }

    @Test
    void shouldTimeTheBudgetOnTheWallClockNotOnTheStreamThreadsCachedTime() {
        // Kafka Streams caches currentSystemTimeMs() once per round of processing: after a batch's
        // inference (3 s here) the next frame is processed with a time 3 s old. Timed on that, the frame
        // would have used up its budget on arrival and gone out alone at the next punctuation.
        long[] wall = {T0};
        FrameBatcher<String, String> batcher = new FrameBatcher<>(BatchingConfig.of(4, BUDGET), STORE, () -> wall[0]);
        batcher.init(context);
        context.setCurrentSystemTimeMs(T0); // the cached time, left where the round started
        wall[0] = T0 + 3_000; // the previous batch's inference took 3 s of this round
        batcher.process(new Record<>("flight-1", "f0", T0));

        wall[0] = T0 + 3_010;
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(T0 + 3_010);
        assertEquals(List.of(), batches(), "the frame has waited 10 ms of its 100 ms budget");

        wall[0] = T0 + 3_100;
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(T0 + 3_100);
        assertEquals(List.of(List.of("f0")), batches(), "budget used up: flushed");
    }

    @Test
    void shouldForwardABatchAsSoonAsItReachesMaxBatch() {
        FrameBatcher<String, String> batcher = batcher(3);
        receive(batcher, "flight-1", "f0", T0);
        receive(batcher, "flight-1", "f1", T0 + 1);
        assertEquals(List.of(), forwarded(), "not full yet");
        receive(batcher, "flight-1", "f2", T0 + 2);

        List<Record<String, List<String>>> out = forwarded();
        assertEquals(1, out.size());
        assertEquals("flight-1", out.get(0).key());
        assertEquals(List.of("f0", "f1", "f2"), out.get(0).value());
        assertEquals(T0 + 2 - 5, out.get(0).timestamp(), "the timestamp of the frame that filled the batch");
        assertEquals(0, store.approximateNumEntries(), "forwarded frames leave the store");
    }

    @Test
    void shouldNeverStoreTheFrameThatFillsABatch() {
        // Every put is a changelog record of the whole frame, and its delete a tombstone.
        List<Long> puts = new ArrayList<>();
        @SuppressWarnings("unchecked")
        KeyValueStore<Long, BufferedFrame<String, String>> counting =
                (KeyValueStore<Long, BufferedFrame<String, String>>) java.lang.reflect.Proxy.newProxyInstance(
                        getClass().getClassLoader(), new Class<?>[] {KeyValueStore.class}, (proxy, method, args) -> {
                            if (method.getName().equals("put")) puts.add((Long) args[0]);
                            try {
                                return method.invoke(store, args);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
        context = contextWith(counting);
        context.setCurrentSystemTimeMs(T0);
        FrameBatcher<String, String> single = batcher(1);
        receive(single, "flight-1", "f0", T0);
        receive(single, "flight-1", "f1", T0 + 1);
        assertEquals(List.of(List.of("f0"), List.of("f1")), batches());
        assertEquals(List.of(), puts, "at batch size 1 the store is not used");

        context.resetForwards();
        FrameBatcher<String, String> three = batcher(3);
        for (int i = 0; i < 6; i++) receive(three, "flight-2", "g" + i, T0 + 10 + i);
        assertEquals(List.of(List.of("g0", "g1", "g2"), List.of("g3", "g4", "g5")), batches());
        assertEquals(4, puts.size(), "two frames of each batch wait in the store; the third fills it");
        assertEquals(0, store.approximateNumEntries());
    }

    @Test
    void shouldFlushPartialBatchWhenLatencyBudgetExpires() {
        FrameBatcher<String, String> batcher = batcher(10);
        receive(batcher, "flight-1", "f0", T0);
        receive(batcher, "flight-1", "f1", T0 + 30);
        tick(T0 + BUDGET.toMillis());

        List<Record<String, List<String>>> out = forwarded();
        assertEquals(1, out.size());
        assertEquals("flight-1", out.get(0).key());
        assertEquals(List.of("f0", "f1"), out.get(0).value());
        assertEquals(T0 + 30 - 5, out.get(0).timestamp(), "the newest frame's timestamp");
        assertEquals(0, store.approximateNumEntries());
    }

    @Test
    void shouldNotFlushBeforeTheOldestFrameHasWaitedTheBudget() {
        FrameBatcher<String, String> batcher = batcher(10);
        receive(batcher, "flight-1", "f0", T0);
        tick(T0 + 50);
        receive(batcher, "flight-1", "f1", T0 + 60);
        tick(T0 + BUDGET.toMillis() - 1);
        assertEquals(List.of(), forwarded());
        assertEquals(2, store.approximateNumEntries());

        // The budget counts from the oldest frame: f1 goes with it although it waited only 40 ms.
        tick(T0 + BUDGET.toMillis());
        assertEquals(List.of(List.of("f0", "f1")), batches());
    }

    @Test
    void shouldKeepArrivalOrderAcrossFlushesWithoutLosingOrRepeatingAFrame() {
        FrameBatcher<String, String> batcher = batcher(3);
        List<String> sent = new ArrayList<>();
        long t = T0;
        for (int i = 0; i < 7; i++) {
            receive(batcher, "flight-1", "f" + i, t++);
            sent.add("f" + i);
        }
        tick(t + BUDGET.toMillis());
        for (int i = 7; i < 9; i++) {
            receive(batcher, "flight-1", "f" + i, t + BUDGET.toMillis() + i);
            sent.add("f" + i);
        }
        tick(t + 3 * BUDGET.toMillis());

        assertEquals(
                List.of(List.of("f0", "f1", "f2"), List.of("f3", "f4", "f5"), List.of("f6"), List.of("f7", "f8")),
                batches());
        assertEquals(sent, batches().stream().flatMap(List::stream).toList());
    }

    @Test
    void shouldBatchEachFlightOnItsOwn() {
        FrameBatcher<String, String> batcher = batcher(2);
        receive(batcher, "flight-a", "a0", T0);
        receive(batcher, "flight-b", "b0", T0 + 10);
        receive(batcher, "flight-a", "a1", T0 + 20);
        assertEquals(List.of(new Record<>("flight-a", List.of("a0", "a1"), T0 + 15)), forwarded());

        receive(batcher, "flight-a", "a2", T0 + 30);
        context.resetForwards();
        tick(T0 + 10 + BUDGET.toMillis()); // b0 is due, a2 is not
        assertEquals(List.of(new Record<>("flight-b", List.of("b0"), T0 + 5)), forwarded());
        context.resetForwards();
        tick(T0 + 30 + BUDGET.toMillis());
        assertEquals(List.of(new Record<>("flight-a", List.of("a2"), T0 + 25)), forwarded());
    }

    @Test
    void shouldForwardNothingWhenTheBufferIsEmpty() {
        FrameBatcher<String, String> batcher = batcher(2);
        tick(T0 + 10 * BUDGET.toMillis());
        assertEquals(List.of(), forwarded());

        receive(batcher, "flight-1", "f0", T0 + 11 * BUDGET.toMillis());
        receive(batcher, "flight-1", "f1", T0 + 11 * BUDGET.toMillis());
        tick(T0 + 20 * BUDGET.toMillis());
        assertEquals(1, forwarded().size(), "the full batch only, not again from the punctuator");
    }

    @Test
    void shouldForwardFramesBufferedBeforeARestartFromTheRestoredStore() {
        FrameBatcher<String, String> first = batcher(3);
        receive(first, "flight-1", "f0", T0);
        receive(first, "flight-1", "f1", T0 + 10);
        receive(first, "flight-2", "g0", T0 + 20);
        // A crash: the processor and its memory are gone; the store is what its changelog restores.
        first.close();
        context = contextWith(store);

        FrameBatcher<String, String> second = batcher(3);
        receive(second, "flight-1", "f2", T0 + 200);
        assertEquals(List.of(List.of("f0", "f1", "f2")), batches(), "restored frames first, then the new one");
        context.resetForwards();
        tick(T0 + 200);
        assertEquals(List.of(List.of("g0")), batches(), "g0 keeps the arrival time it had before the restart");
        assertEquals(0, store.approximateNumEntries());
    }

    @Test
    void shouldDropRecordsThatAreNotFrames() {
        FrameBatcher<String, String> batcher = batcher(1);
        batcher.process(new Record<>(null, "f0", T0));
        batcher.process(new Record<String, String>("flight-1", null, T0));
        assertEquals(List.of(), forwarded());
        assertEquals(0, store.approximateNumEntries());
    }

    @Test
    void shouldRefuseBadConfigWithAMessageThatNamesTheKnob() {
        assertRefused("maxBatch", () -> BatchingConfig.of(0, BUDGET));
        assertRefused("maxBatch", () -> BatchingConfig.of(-3, BUDGET));
        assertRefused("latencyBudget", () -> BatchingConfig.of(4, Duration.ZERO));
        assertRefused("latencyBudget", () -> BatchingConfig.of(4, Duration.ofMillis(-1)));
        assertRefused("checkInterval", () -> new BatchingConfig(4, BUDGET, Duration.ZERO));
        assertRefused("checkInterval", () -> new BatchingConfig(4, BUDGET, BUDGET.plusMillis(1)));
        assertThrows(NullPointerException.class, () -> BatchingConfig.of(4, null));
    }

    @Test
    void shouldPickAFineCheckIntervalWithinTheBudget() {
        assertEquals(
                Duration.ofMillis(10),
                BatchingConfig.of(4, Duration.ofSeconds(2)).checkInterval());
        assertEquals(
                Duration.ofMillis(5),
                BatchingConfig.of(4, Duration.ofMillis(50)).checkInterval());
        assertEquals(
                Duration.ofMillis(1), BatchingConfig.of(4, Duration.ofMillis(3)).checkInterval());
        assertEquals(
                Duration.ofNanos(500),
                BatchingConfig.of(4, Duration.ofNanos(500)).checkInterval());
    }

    @Test
    void shouldRoundTripBufferedFramesThroughTheStoreSerde() {
        Serde<BufferedFrame<String, String>> serde = BufferedFrame.serde(Serdes.String(), Serdes.String());
        BufferedFrame<String, String> frame = new BufferedFrame<>("flight-ü", "", -3L, T0, 42L);
        byte[] bytes = serde.serializer().serialize("changelog", frame);
        assertEquals(frame, serde.deserializer().deserialize("changelog", bytes));
        assertThrows(org.apache.kafka.common.errors.SerializationException.class, () -> serde.deserializer()
                .deserialize("changelog", new byte[] {0, 0, 0, 9}));
        // A changelog entry written before the offset was stored (8 bytes shorter) still reads, offset unknown.
        byte[] old = java.util.Arrays.copyOf(bytes, bytes.length - 8);
        assertEquals(
                new BufferedFrame<>("flight-ü", "", -3L, T0, -1L),
                serde.deserializer().deserialize("changelog", old));
    }

    private static MockProcessorContext<String, List<BufferedFrame<String, String>>> contextWith(
            KeyValueStore<Long, BufferedFrame<String, String>> store) {
        MockProcessorContext<String, List<BufferedFrame<String, String>>> fresh = new MockProcessorContext<>();
        fresh.addStateStore(store);
        return fresh;
    }

    private static void assertRefused(String knob, org.junit.jupiter.api.function.Executable config) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, config);
        assertTrue(e.getMessage().startsWith(knob + " must be"), e.getMessage());
    }
}
