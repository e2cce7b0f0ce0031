package io.skypack.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.IntegerDeserializer;
import org.apache.kafka.common.serialization.IntegerSerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The in-process KRaft broker against real clients: transactions and {@code read_committed}
 * (what exactly-once Kafka Streams needs), two brokers side by side, and a clean stop. Prints the
 * start time and the heap and threads a broker adds, for the README.
 */
class LocalKafkaBrokerIT {
    private static LocalKafkaBroker broker;

    @BeforeAll
    static void start() throws IOException {
        Footprint before = Footprint.now();
        broker = LocalKafkaBroker.start();
        Footprint after = Footprint.now();
        System.out.printf(
                "Local Kafka broker: %s, started in %d ms, heap %+.1f MiB after GC, %+d threads%n",
                broker.bootstrapServers(),
                broker.startupTime().toMillis(),
                (after.heapBytes - before.heapBytes) / 1048576.0,
                after.threads - before.threads);
    }

    @AfterAll
    static void stop() {
        if (broker == null) return;
        Path dir = broker.logDir().getParent();
        broker.close();
        assertFalse(Files.exists(dir), "close() deletes the broker's directory");
        assertTrue(broker.fatalFault().isEmpty(), () -> "fatal fault: " + broker.fatalFault());
        broker.close(); // idempotent
    }

    @Test
    void shouldDeliverCommittedTransactionsInOrderAndHideAbortedOnesFromReadCommitted() throws Exception {
        String topic = "it.tx";
        broker.createTopics(1, topic);
        try (KafkaProducer<String, Integer> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                "it-tx-" + UUID.randomUUID(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                IntegerSerializer.class))) {
            producer.initTransactions();
            // 100 records in 10 committed transactions, with an aborted one in the middle.
            for (int tx = 0; tx < 10; tx++) {
                producer.beginTransaction();
                for (int i = 0; i < 10; i++) producer.send(new ProducerRecord<>(topic, "flight-1", tx * 10 + i));
                producer.commitTransaction();
                if (tx == 4) {
                    producer.beginTransaction();
                    producer.send(new ProducerRecord<>(topic, "flight-1", -1));
                    producer.flush();
                    producer.abortTransaction();
                }
            }
        }

        List<Integer> values = new ArrayList<>();
        try (KafkaConsumer<String, Integer> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "it-tx-reader",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                IntegerDeserializer.class))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < 100 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, Integer> r : consumer.poll(Duration.ofMillis(200))) values.add(r.value());
            }
            // Nothing else arrives: the aborted record stays hidden.
            for (ConsumerRecord<String, Integer> r : consumer.poll(Duration.ofMillis(500))) values.add(r.value());
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) expected.add(i);
        assertEquals(expected, values, "all 100 committed records, once each, in the order sent");
    }

    @Test
    void shouldRunASecondBrokerOnOtherPortsAtTheSameTime() throws Exception {
        Footprint before = Footprint.now();
        Path dir;
        try (LocalKafkaBroker second = LocalKafkaBroker.start()) {
            Footprint after = Footprint.now();
            System.out.printf(
                    "Second local Kafka broker: %s, started in %d ms, heap %+.1f MiB after GC, %+d threads%n",
                    second.bootstrapServers(),
                    second.startupTime().toMillis(),
                    (after.heapBytes - before.heapBytes) / 1048576.0,
                    after.threads - before.threads);
            dir = second.logDir().getParent();
            assertNotEquals(broker.bootstrapServers(), second.bootstrapServers());
            assertNotEquals(broker.logDir(), second.logDir());

            second.createTopics(2, "it.second");
            // Each broker is its own cluster: the topic exists on the second one only.
            assertEquals(Set.of("it.second"), topics(second));
            assertFalse(topics(broker).contains("it.second"));
            // Creating it again is not an error.
            second.createTopics(2, "it.second");
        }
        assertFalse(Files.exists(dir), "close() deletes the second broker's directory");
        assertFalse(topics(broker).contains("it.second"), "the first broker still answers after the second stopped");
    }

    @Test
    void shouldKeepItsAddressTopicsAndRecordsAcrossARestart() throws Exception {
        try (LocalKafkaBroker b = LocalKafkaBroker.start()) {
            String address = b.bootstrapServers();
            b.createTopics(1, "it.restart");
            try (KafkaProducer<String, Integer> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    address,
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                    StringSerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                    IntegerSerializer.class))) {
                for (int i = 0; i < 5; i++) producer.send(new ProducerRecord<>("it.restart", "k", i));
                producer.flush();
                long t0 = System.nanoTime();
                b.restart(Duration.ofMillis(500));
                System.out.printf(
                        "Local Kafka broker restarted in %d ms (500 ms down)%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                assertEquals(address, b.bootstrapServers());
                // The same producer goes on: it reconnects to the same address.
                for (int i = 5; i < 10; i++) producer.send(new ProducerRecord<>("it.restart", "k", i));
                producer.flush();
            }
            assertEquals(Set.of("it.restart"), topics(b));
            List<Integer> values = new ArrayList<>();
            try (KafkaConsumer<String, Integer> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    address,
                    ConsumerConfig.GROUP_ID_CONFIG,
                    "it-restart-reader",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                    "earliest",
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                    StringDeserializer.class,
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                    IntegerDeserializer.class))) {
                consumer.subscribe(List.of("it.restart"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (values.size() < 10 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, Integer> r : consumer.poll(Duration.ofMillis(200))) {
                        values.add(r.value());
                    }
                }
            }
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), values, "records from before and after the restart");
            assertTrue(b.fatalFault().isEmpty(), () -> "fatal fault: " + b.fatalFault());
        }
    }

    @Test
    void shouldAuthenticateScramUsersOverTlsOnlyWithTheirPasswordAndKeepThemAcrossARestart() throws Exception {
        var security = new LocalKafkaBroker.SaslSsl("SCRAM-SHA-256", Map.of("uav", "uav-pw-1", "ops", "ops-pw-2"));
        assertEquals("SaslSsl{SCRAM-SHA-256, users [ops, uav]}", security.toString());
        try (LocalKafkaBroker b =
                LocalKafkaBroker.startSaslSsl(security, Map.of(), LocalKafkaBroker.DEFAULT_STARTUP_TIMEOUT)) {
            b.createTopics(1, "it.secured");
            assertEquals(Set.of("it.secured"), topics(b, b.clientProperties("uav", "uav-pw-1")));
            assertEquals(Set.of("it.secured"), topics(b, b.clientProperties("ops", "ops-pw-2")));
            ExecutionException wrong =
                    assertThrows(ExecutionException.class, () -> topics(b, b.clientProperties("uav", "ops-pw-2")));
            assertTrue(wrong.getCause() instanceof SaslAuthenticationException, wrong.toString());
            Map<String, String> noTrust = new HashMap<>(b.clientProperties("uav", "uav-pw-1"));
            noTrust.keySet().removeIf(k -> k.startsWith("ssl.truststore"));
            ExecutionException untrusted = assertThrows(ExecutionException.class, () -> topics(b, noTrust));
            assertTrue(untrusted.getCause() instanceof SslAuthenticationException, untrusted.toString());

            String address = b.bootstrapServers();
            b.restart(Duration.ofMillis(200));
            assertEquals(address, b.bootstrapServers());
            assertEquals(Set.of("it.secured"), topics(b, b.clientProperties("uav", "uav-pw-1")), "users survive");
            assertTrue(b.fatalFault().isEmpty(), () -> "fatal fault: " + b.fatalFault());
        }
    }

    @Test
    void shouldRefuseToOverrideTheSettingsItOwns() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> LocalKafkaBroker.start(Map.of("listeners", "PLAINTEXT://:9092"), Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains("listeners"), e.getMessage());
    }

    private static Set<String> topics(LocalKafkaBroker b, Map<String, String> security) throws Exception {
        Map<String, Object> props = new HashMap<>(security);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        }
    }

    private static Set<String> topics(LocalKafkaBroker b) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers()))) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        }
    }

    /** Heap in use after a full GC, and live threads. */
    private record Footprint(long heapBytes, int threads) {
        static Footprint now() {
            for (int i = 0; i < 2; i++) System.gc();
            return new Footprint(
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
                    ManagementFactory.getThreadMXBean().getThreadCount());
        }
    }
}
