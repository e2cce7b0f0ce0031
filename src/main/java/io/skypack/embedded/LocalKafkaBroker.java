package io.skypack.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import kafka.server.BrokerServer;
import kafka.server.ControllerServer;
import kafka.server.FaultHandlerFactory;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.server.SharedServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.raft.QuorumConfig;
import org.apache.kafka.server.ServerSocketFactory;
import org.apache.kafka.server.fault.FaultHandler;
import org.apache.kafka.server.fault.LoggingFaultHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * A real Kafka broker for the demo and the {@code *IT} tests: one KRaft node that is both broker and
 * controller, in this JVM, on free ports of the loopback interface, with its logs in a temporary
 * directory that {@link #close()} deletes. No ZooKeeper, no Docker: the servers come from the Maven
 * Central jar {@code org.apache.kafka:kafka_2.13}.
 *
 * <p>It is put together the way Kafka's own test kit ({@code KafkaClusterTestKit}) does it, not
 * through {@code KafkaRaftServer}, for two reasons:
 *
 * <ul>
 *   <li>The controller's port must be written into {@code controller.quorum.voters} before the
 *       servers start, so it cannot be the ephemeral port 0. Picking a free port and closing it
 *       again races with every other process on the machine; instead the controller socket is bound
 *       here first and handed to the server through its {@link ServerSocketFactory}. The client
 *       listener uses port 0 and reports what it got.
 *   <li>{@code KafkaRaftServer} halts the JVM on a fatal fault. In a test JVM that ends the whole
 *       run without a report; here a fatal fault is logged, kept ({@link #fatalFault()}) and fails
 *       {@link #start} when it happens while starting.
 * </ul>
 *
 * <p>Single-node settings: every internal topic (offsets, transactions, share state) has one replica
 * and few partitions, so transactional producers and {@code read_committed} consumers work at once
 * (exactly-once needs {@code __transaction_state}). Automatic topic creation is off: topics are made
 * by {@link #createTopics}, so a misspelt topic name fails instead of creating a new topic.
 *
 * <p>{@link #restart} stops the servers and starts new ones on the same ports and the same log
 * directory, so clients reconnect to the same address and find their topics, committed offsets and
 * transactions again: the broker restart of a fault test.
 *
 * <p>{@link #startSaslSsl} starts it secured, as a production cluster is: clients connect to a
 * {@code SASL_SSL} listener that authenticates users with SCRAM over TLS, with a self-signed
 * certificate for {@code localhost}/{@code 127.0.0.1} made at start ({@link SelfSignedTls}, stores in
 * the temporary directory) and the SCRAM users written into the cluster's bootstrap metadata when the
 * log directory is formatted (as {@code kafka-storage.sh format --add-scram} does), so they exist
 * before the first client connects. The plaintext listener stays, on the loopback interface, for
 * the broker itself (inter-broker traffic such as transaction markers) and for {@link #createTopics};
 * {@link #bootstrapServers()} then names the {@code SASL_SSL} listener and {@link
 * #clientProperties} the settings a client needs there.
 *
 * <p>{@link #restart} and {@link #close()} are synchronized; {@link #close()} is idempotent. A
 * shutdown hook closes the broker when the JVM exits normally.
 */
public final class LocalKafkaBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalKafkaBroker.class);

    /** Time allowed for the broker to start unless told otherwise (a busy 2-core machine). */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);
    /** Partitions of {@code __consumer_offsets} and {@code __transaction_state}; Kafka's default is 50. */
    public static final int INTERNAL_TOPIC_PARTITIONS = 4;

    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** The clients' listener of a secured broker ({@code SASL_SSL}). */
    private static final String CLIENT_LISTENER = "CLIENT";

    private static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    /** Settings {@link #settings} always makes itself. */
    private static final Set<String> OWN_SETTINGS = Set.of(
            "process.roles",
            "node.id",
            "controller.quorum.voters",
            "controller.quorum.bootstrap.servers",
            "controller.listener.names",
            "listeners",
            "advertised.listeners",
            "listener.security.protocol.map",
            "inter.broker.listener.name",
            "log.dirs",
            "log.dir",
            "metadata.log.dir",
            "server.max.startup.time.ms");

    /** The running servers; replaced by {@link #restart}, null while stopped. */
    private Servers servers;

    private final Map<String, Object> overrides;
    private final SaslSsl security;
    private final SelfSignedTls tls;
    private final int controllerPort;
    private final int brokerPort;
    /** Port of the {@code SASL_SSL} listener; 0 when the broker is not secured. */
    private final int clientPort;

    private final String bootstrapServers;
    private final Duration startupTime;
    private final Duration startupTimeout;
    private final Path dir;
    private final AtomicReference<RuntimeException> fatalFault;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook;

    /** One start's controller and broker, which share a {@link SharedServer}. */
    private record Servers(ControllerServer controller, BrokerServer broker) {}

    /**
     * How a secured broker authenticates its clients: SASL with {@code mechanism} ({@code SCRAM-SHA-256}
     * or {@code SCRAM-SHA-512}) over TLS, and the users it knows with their passwords. {@link
     * #toString()} names the users only.
     *
     * @param users user name to password; names and passwords of letters, digits and {@code -_.~+/=@}
     */
    public record SaslSsl(String mechanism, Map<String, String> users) {
        private static final java.util.regex.Pattern SAFE = java.util.regex.Pattern.compile("[A-Za-z0-9._~+/=@-]+");

        public SaslSsl {
            if (!Set.of("SCRAM-SHA-256", "SCRAM-SHA-512").contains(mechanism)) {
                throw new IllegalArgumentException(
                        "mechanism must be SCRAM-SHA-256 or SCRAM-SHA-512, got " + mechanism);
            }
            if (users.isEmpty()) throw new IllegalArgumentException("a secured broker needs at least one user");
            for (var u : users.entrySet()) {
                // They go into a JAAS line and a kafka-storage --add-scram argument, both quoted.
                if (!SAFE.matcher(u.getKey()).matches()
                        || !SAFE.matcher(u.getValue()).matches()) {
                    throw new IllegalArgumentException(
                            "user '" + u.getKey() + "': names and passwords must be letters, digits or -_.~+/=@");
                }
            }
            users = Map.copyOf(users);
        }

        @Override
        public String toString() {
            return "SaslSsl{" + mechanism + ", users " + new java.util.TreeSet<>(users.keySet()) + "}";
        }
    }

    private LocalKafkaBroker(
            Servers servers,
            Map<String, Object> overrides,
            SaslSsl security,
            SelfSignedTls tls,
            int controllerPort,
            int brokerPort,
            int clientPort,
            Duration startupTime,
            Duration startupTimeout,
            Path dir,
            AtomicReference<RuntimeException> fatalFault) {
        this.servers = servers;
        this.overrides = overrides;
        this.security = security;
        this.tls = tls;
        this.controllerPort = controllerPort;
        this.brokerPort = brokerPort;
        this.clientPort = clientPort;
        this.bootstrapServers = HOST + ":" + (security == null ? brokerPort : clientPort);
        this.startupTime = startupTime;
        this.startupTimeout = startupTimeout;
        this.dir = dir;
        this.fatalFault = fatalFault;
        this.shutdownHook = new Thread(this::close, "local-kafka-broker-stop");
    }

    /** Starts a broker with the default settings and timeout. */
    public static LocalKafkaBroker start() throws IOException {
        return start(Map.of(), DEFAULT_STARTUP_TIMEOUT);
    }

    /**
     * Formats a fresh temporary log directory and starts the broker in it; returns once the broker
     * is unfenced and accepts clients at {@link #bootstrapServers()}.
     *
     * @param overrides broker settings (Kafka's names, e.g. {@code num.partitions}) that replace the
     *     defaults described in the class comment; the node id, roles, listeners, directories and
     *     startup limit are this class's and cannot be overridden ({@link IllegalArgumentException})
     * @throws IOException when the directory or the controller socket cannot be made, or the broker
     *     fails or is not ready within {@code startupTimeout}; nothing is left running or on disk
     */
    public static LocalKafkaBroker start(Map<String, ?> overrides, Duration startupTimeout) throws IOException {
        return start(overrides, startupTimeout, null);
    }

    /**
     * Starts a secured broker (see the class comment): clients authenticate on a {@code SASL_SSL}
     * listener with the users of {@code security}; {@link #clientProperties} gives their settings.
     * Otherwise as {@link #start(Map, Duration)}.
     */
    public static LocalKafkaBroker startSaslSsl(SaslSsl security, Map<String, ?> overrides, Duration startupTimeout)
            throws IOException {
        return start(overrides, startupTimeout, java.util.Objects.requireNonNull(security, "security"));
    }

    private static LocalKafkaBroker start(Map<String, ?> overrides, Duration startupTimeout, SaslSsl security)
            throws IOException {
        for (String key : overrides.keySet()) {
            if (OWN_SETTINGS.contains(key)) {
                throw new IllegalArgumentException(key + " is set by LocalKafkaBroker and cannot be overridden (asked: "
                        + overrides.get(key) + ")");
            }
        }
        long started = System.nanoTime();
        Path dir = Files.createTempDirectory("skypack-kafka");
        ServerSocketChannel controllerSocket = null;
        Servers servers = null;
        AtomicReference<RuntimeException> fatalFault = new AtomicReference<>();
        try {
            controllerSocket = bind(0);
            int controllerPort = controllerSocket.socket().getLocalPort();
            Path logDir = Files.createDirectory(dir.resolve("data"));
            SelfSignedTls tls = security == null ? null : SelfSignedTls.generate(dir.resolve("tls"));

            Map<String, Object> props =
                    settings(overrides, security, tls, controllerPort, 0, 0, logDir, startupTimeout);
            KafkaConfig config = new KafkaConfig(props, false);
            format(config, logDir, security);
            servers = launch(config, Map.of(CONTROLLER_LISTENER, controllerSocket), fatalFault);

            int port = servers.broker().boundPort(ListenerName.normalised(BROKER_LISTENER));
            int clientPort =
                    security == null ? 0 : servers.broker().boundPort(ListenerName.normalised(CLIENT_LISTENER));
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            LocalKafkaBroker local = new LocalKafkaBroker(
                    servers,
                    Map.copyOf(overrides),
                    security,
                    tls,
                    controllerPort,
                    port,
                    clientPort,
                    took,
                    startupTimeout,
                    dir,
                    fatalFault);
            Runtime.getRuntime().addShutdownHook(local.shutdownHook);
            LOG.info(
                    "Kafka {} broker (KRaft, combined) at {}{}, controller at {}:{}, logs in {} (started in {} ms)",
                    AppInfoParser.getVersion(),
                    local.bootstrapServers,
                    security == null
                            ? ""
                            : " (SASL_SSL, " + security + "; plaintext for the broker itself at " + HOST + ":" + port
                                    + ")",
                    HOST,
                    controllerPort,
                    dir,
                    took.toMillis());
            return local;
        } catch (IOException | RuntimeException e) {
            stop(servers);
            if (controllerSocket != null) controllerSocket.close(); // no-op when the server took it
            deleteQuietly(dir);
            throw e instanceof IOException io
                    ? io
                    : new IOException("the local Kafka broker did not start: " + e.getMessage(), e);
        }
    }

    /**
     * Stops the broker (a controlled shutdown, as {@code kafka-server-stop.sh} does), keeps it down
     * for {@code downtime}, and starts it again on the same client and controller ports with the
     * same log directory: topics, records, committed offsets, producer state and transactions
     * survive; clients see the broker go away and come back at the same address. Returns once the
     * broker accepts clients again.
     *
     * @throws IOException when a port cannot be bound again within the startup timeout, or the broker
     *     does not start; the broker is then stopped and {@link #close()} still cleans up
     * @throws IllegalStateException after {@link #close()}
     */
    public synchronized void restart(Duration downtime) throws IOException, InterruptedException {
        if (closed.get()) throw new IllegalStateException("the broker at " + bootstrapServers + " is closed");
        long t0 = System.nanoTime();
        stop(servers);
        servers = null;
        LOG.info("Kafka broker at {} stopped for a restart ({} ms)", bootstrapServers, millisSince(t0));
        Thread.sleep(downtime.toMillis());

        long t1 = System.nanoTime();
        long deadline = t1 + startupTimeout.toNanos();
        ServerSocketChannel controllerSocket = null, brokerSocket = null, clientSocket = null;
        try {
            // The ports were ours a moment ago; a socket of the old servers can hold one a little
            // longer, so binding is retried until the startup timeout.
            controllerSocket = bindAgain(controllerPort, deadline);
            brokerSocket = bindAgain(brokerPort, deadline);
            Map<String, ServerSocketChannel> bound = new java.util.HashMap<>();
            bound.put(CONTROLLER_LISTENER, controllerSocket);
            bound.put(BROKER_LISTENER, brokerSocket);
            if (security != null) {
                clientSocket = bindAgain(clientPort, deadline);
                bound.put(CLIENT_LISTENER, clientSocket);
            }
            Map<String, Object> props = settings(
                    overrides, security, tls, controllerPort, brokerPort, clientPort, logDir(), startupTimeout);
            servers = launch(new KafkaConfig(props, false), bound, fatalFault);
        } catch (IOException | RuntimeException e) {
            // A server that took a socket closed it when it stopped; closing again is a no-op.
            for (ServerSocketChannel s : new ServerSocketChannel[] {controllerSocket, brokerSocket, clientSocket}) {
                if (s != null) s.close();
            }
            throw e instanceof IOException io
                    ? io
                    : new IOException("the local Kafka broker did not restart: " + e.getMessage(), e);
        }
        LOG.info(
                "Kafka broker at {} restarted after {} ms down (started in {} ms)",
                bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(t1 - t0),
                millisSince(t1));
    }

    /**
     * {@code host:port} of the clients' listener, for {@code bootstrap.servers}: the {@code SASL_SSL}
     * listener of a secured broker (with {@link #clientProperties}), else the plaintext one.
     */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** How clients authenticate, when the broker was started with {@link #startSaslSsl}. */
    public Optional<SaslSsl> security() {
        return Optional.ofNullable(security);
    }

    /**
     * The settings a Kafka client needs, besides {@code bootstrap.servers}, to connect to a secured
     * broker as {@code user} with {@code password} (which need not be right: a test of wrong
     * credentials uses this too): {@code security.protocol}, {@code sasl.mechanism}, {@code
     * sasl.jaas.config}, and the truststore with the broker's certificate.
     *
     * @throws IllegalStateException when the broker is not secured
     */
    public Map<String, String> clientProperties(String user, String password) {
        if (security == null) throw new IllegalStateException("the broker at " + bootstrapServers + " is not secured");
        Map<String, String> p = new LinkedHashMap<>();
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", security.mechanism());
        p.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                        + password + "\";");
        p.put("ssl.truststore.location", tls.truststore().toString());
        p.put("ssl.truststore.password", tls.truststorePassword());
        p.put("ssl.truststore.type", SelfSignedTls.STORE_TYPE);
        return p;
    }

    /** The truststore with the secured broker's certificate (PKCS12; see {@link #truststorePassword()}). */
    public Path truststore() {
        if (tls == null) throw new IllegalStateException("the broker at " + bootstrapServers + " is not secured");
        return tls.truststore();
    }

    public String truststorePassword() {
        if (tls == null) throw new IllegalStateException("the broker at " + bootstrapServers + " is not secured");
        return tls.truststorePassword();
    }

    /** From creating the log directory to the broker accepting clients. */
    public Duration startupTime() {
        return startupTime;
    }

    /** The log directory (under the temporary directory that {@link #close()} deletes). */
    public Path logDir() {
        return dir.resolve("data");
    }

    /** The first fatal fault the servers reported, if any; the broker should not be trusted after one. */
    public Optional<RuntimeException> fatalFault() {
        return Optional.ofNullable(fatalFault.get());
    }

    /**
     * Creates topics with one replica; a topic that exists already is left as it is.
     *
     * @param partitions partitions of each topic
     * @throws IOException when the broker refuses a topic or does not answer within 30 s
     */
    public void createTopics(int partitions, String... topics) throws IOException {
        List<NewTopic> newTopics = new ArrayList<>();
        for (String topic : topics) newTopics.add(new NewTopic(topic, partitions, (short) 1));
        createTopics(newTopics);
    }

    /**
     * Creates the given topics (with their partitions and configs); a topic that exists already is
     * left as it is.
     *
     * @throws IOException when the broker refuses a topic or does not answer within 30 s
     */
    public void createTopics(Collection<NewTopic> topics) throws IOException {
        // The plaintext listener: the harness needs no credentials, whether the broker is secured or not.
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":" + brokerPort))) {
            var results = admin.createTopics(topics).values();
            for (var result : results.entrySet()) {
                try {
                    result.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IOException(
                                "could not create topic " + result.getKey() + ": "
                                        + e.getCause().getMessage(),
                                e.getCause());
                    }
                }
            }
        } catch (TimeoutException e) {
            throw new IOException("the broker at " + bootstrapServers + " did not create the topics within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while creating topics", e);
        }
    }

    /** Stops the broker (everything in it is lost) and deletes its directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed.compareAndSet(false, true)) return;
        long t0 = System.nanoTime();
        stop(servers);
        servers = null;
        deleteQuietly(dir);
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs (or ran) anyway; close() is idempotent.
            }
        }
        LOG.info("Kafka broker at {} stopped in {} ms", bootstrapServers, millisSince(t0));
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * @param security null for a plaintext broker
     * @param brokerPort the plaintext listener's port, 0 for any free one
     * @param clientPort the {@code SASL_SSL} listener's port (when secured), 0 for any free one
     */
    private static Map<String, Object> settings(
            Map<String, ?> overrides,
            SaslSsl security,
            SelfSignedTls tls,
            int controllerPort,
            int brokerPort,
            int clientPort,
            Path logDir,
            Duration startupTimeout) {
        Map<String, Object> p = new LinkedHashMap<>();
        // Small and quick, for one node with a handful of clients.
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("auto.create.topics.enable", "false");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", Integer.toString(INTERNAL_TOPIC_PARTITIONS));
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", Integer.toString(INTERNAL_TOPIC_PARTITIONS));
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // A consumer group or Streams application starts at once instead of after 3 s.
        p.put("group.initial.rebalance.delay.ms", "0");
        // The cleaner's dedupe buffer is 128 MiB of heap by default (Kafka's test kit uses 2 MiB too).
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.putAll(overrides);

        Map<String, Object> fixed = new LinkedHashMap<>(); // OWN_SETTINGS
        fixed.put("process.roles", "broker,controller");
        fixed.put("node.id", Integer.toString(NODE_ID));
        fixed.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        fixed.put("controller.listener.names", CONTROLLER_LISTENER);
        String listeners = BROKER_LISTENER + "://" + HOST + ":" + brokerPort + "," + CONTROLLER_LISTENER + "://" + HOST
                + ":" + controllerPort;
        String protocols = BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT";
        if (security != null) {
            listeners += "," + CLIENT_LISTENER + "://" + HOST + ":" + clientPort;
            protocols += "," + CLIENT_LISTENER + ":SASL_SSL";
            // Only the clients' listener is secured; its settings carry the listener's prefix.
            String l = "listener.name." + CLIENT_LISTENER.toLowerCase(java.util.Locale.ROOT) + ".";
            String mechanism = security.mechanism();
            fixed.put("sasl.enabled.mechanisms", mechanism);
            fixed.put(l + "sasl.enabled.mechanisms", mechanism);
            fixed.put(
                    l + mechanism.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            fixed.put(l + "ssl.keystore.location", tls.keystore().toString());
            fixed.put(l + "ssl.keystore.password", tls.keystorePassword());
            fixed.put(l + "ssl.key.password", tls.keystorePassword());
            fixed.put(l + "ssl.keystore.type", SelfSignedTls.STORE_TYPE);
            fixed.put(l + "ssl.client.auth", "none");
        }
        fixed.put("listeners", listeners);
        fixed.put("listener.security.protocol.map", protocols);
        fixed.put("inter.broker.listener.name", BROKER_LISTENER);
        fixed.put("log.dirs", logDir.toString());
        fixed.put("metadata.log.dir", logDir.toString());
        fixed.put("server.max.startup.time.ms", Long.toString(startupTimeout.toMillis()));
        p.putAll(fixed);
        return p;
    }

    /**
     * Starts a controller and a broker on a formatted log directory, in {@code KafkaRaftServer}'s
     * order: the controller first, then the broker, which blocks until the controller has unfenced
     * it and its listeners accept connections. Both give up at {@code server.max.startup.time.ms}.
     *
     * @param bound sockets bound beforehand, by listener name, which the servers take instead of
     *     binding their own
     */
    private static Servers launch(
            KafkaConfig config, Map<String, ServerSocketChannel> bound, AtomicReference<RuntimeException> fatalFault) {
        Tuple2<MetaPropertiesEnsemble, BootstrapMetadata> dirs =
                KafkaRaftServer.initializeLogDirs(config, LOG, "[LocalKafkaBroker] ");
        SharedServer shared = new SharedServer(
                config,
                dirs._1(),
                Time.SYSTEM,
                new Metrics(),
                CompletableFuture.completedFuture(
                        QuorumConfig.parseVoterConnections(config.quorumConfig().voters())),
                QuorumConfig.parseBootstrapServers(config.quorumConfig().bootstrapServers()),
                faultHandlers(fatalFault),
                preboundSocketFactory(bound));
        ControllerServer controller = new ControllerServer(shared, KafkaRaftServer.configSchema(), dirs._2());
        BrokerServer broker = new BrokerServer(shared);
        Servers servers = new Servers(controller, broker);
        try {
            controller.startup();
            broker.startup();
            if (fatalFault.get() != null) throw fatalFault.get();
        } catch (RuntimeException e) {
            stop(servers);
            throw e;
        }
        return servers;
    }

    /** A non-blocking server socket on {@code port} of the loopback address (0: any free port). */
    private static ServerSocketChannel bind(int port) throws IOException {
        ServerSocketChannel socket = ServerSocketChannel.open();
        try {
            socket.configureBlocking(false);
            socket.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static ServerSocketChannel bindAgain(int port, long deadlineNanos)
            throws IOException, InterruptedException {
        while (true) {
            try {
                return bind(port);
            } catch (java.net.BindException e) {
                if (System.nanoTime() > deadlineNanos) {
                    throw new IOException("port " + port + " is still taken: " + e.getMessage(), e);
                }
                Thread.sleep(100);
            }
        }
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    /**
     * What {@code kafka-storage.sh format} does: meta.properties and the bootstrap metadata, with the
     * SCRAM credentials of a secured broker's users ({@code --add-scram}; stored salted and hashed).
     */
    private static void format(KafkaConfig config, Path logDir, SaslSsl security) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(out, true, StandardCharsets.UTF_8))
                .setNodeId(config.nodeId())
                .setClusterId(Uuid.randomUuid().toString())
                .addDirectory(logDir.toString())
                .setMetadataLogDirectory(config.metadataLogDir())
                .setControllerListenerName(CONTROLLER_LISTENER);
        if (security != null) {
            List<String> scram = new ArrayList<>();
            security.users()
                    .forEach((user, password) ->
                            scram.add(security.mechanism() + "=[name=\"" + user + "\",password=\"" + password + "\"]"));
            formatter.setScramArguments(scram);
        }
        try {
            formatter.run();
        } catch (Exception e) {
            throw new IOException("could not format " + logDir + ": " + e.getMessage(), e);
        }
        LOG.debug("{}", out.toString(StandardCharsets.UTF_8).strip());
    }

    /**
     * Logs every fault like Kafka does; a fatal one is also kept instead of halting the JVM (the
     * standard factory's {@code ProcessTerminatingFaultHandler}).
     */
    private static FaultHandlerFactory faultHandlers(AtomicReference<RuntimeException> fatalFault) {
        return (name, fatal, action) -> {
            FaultHandler logging = new LoggingFaultHandler(name, action);
            if (!fatal) return logging;
            return (message, cause) -> {
                RuntimeException fault = logging.handleFault(message, cause);
                fatalFault.compareAndSet(null, fault);
                return fault;
            };
        };
    }

    /**
     * The socket server's factory, except that each listener in {@code bound} gets its socket bound
     * beforehand (once; should a listener be opened again, it binds its own).
     */
    private static ServerSocketFactory preboundSocketFactory(Map<String, ServerSocketChannel> bound) {
        Set<String> taken = java.util.concurrent.ConcurrentHashMap.newKeySet();
        return (listenerName, address, backlog, recvBufferSize) -> {
            ServerSocketChannel socket = bound.get(listenerName);
            if (socket != null && taken.add(listenerName)) return socket;
            return ServerSocketFactory.INSTANCE.openServerSocket(listenerName, address, backlog, recvBufferSize);
        };
    }

    private static void stop(Servers servers) {
        if (servers == null) return;
        BrokerServer broker = servers.broker();
        ControllerServer controller = servers.controller();
        // KafkaRaftServer's order: the broker first, while the controller can still take its
        // controlled shutdown.
        if (broker != null) {
            try {
                broker.shutdown(Duration.ofSeconds(30));
                broker.awaitShutdown();
            } catch (RuntimeException e) {
                LOG.warn("broker shutdown: {}", e.toString());
            }
        }
        if (controller != null) {
            try {
                controller.shutdown();
                controller.awaitShutdown();
            } catch (RuntimeException e) {
                LOG.warn("controller shutdown: {}", e.toString());
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not delete {}: {}", dir, e.toString());
        }
    }
}
