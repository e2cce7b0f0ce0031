package io.skypack.app;

import io.skypack.registry.SchemaRegistryClient;
import io.skypack.registry.SchemaRegistryException;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * The check the cluster commands make before they start work: one request to the Kafka cluster and
 * one to the schema registry, with the configured addresses, TLS settings and credentials. Kafka
 * Streams retries a rejected login for ever (a stream thread that fails is replaced), and the
 * registry is first asked when the first record arrives; checked here, wrong credentials or an
 * untrusted certificate end the command at once with one line that says which service refused whom
 * and why, never with a password.
 */
final class ClusterCheck {
    /** How long the Kafka cluster gets to answer. */
    static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(20);

    private static final Pattern JAAS_USER = Pattern.compile("username\\s*=\\s*(?:\"([^\"]*)\"|([^\\s;\"]+))");

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClusterCheck.class);

    private ClusterCheck() {}

    /**
     * Checks Kafka, then the registry.
     *
     * @throws IOException saying what failed: the credentials of a user were rejected, a TLS
     *     handshake failed (and why), or the service did not answer
     */
    static void verify(PipelineConfig config, SchemaRegistryClient registry) throws IOException {
        verify(config, registry, false);
    }

    /**
     * As {@link #verify(PipelineConfig, SchemaRegistryClient)}; with {@code registryMayBeDown}, a
     * registry that does not answer (no connection, timeouts, HTTP 429 or 5xx, after the client's
     * retries) is only warned about. The detector is a service: started before the registry (or during
     * its outage), it must wait for it, which it does, record by record (a record whose schema it cannot
     * fetch fails the task and is read again), rather than exit. Rejected credentials and TLS failures
     * still end the command.
     */
    static void verify(PipelineConfig config, SchemaRegistryClient registry, boolean registryMayBeDown)
            throws IOException {
        kafka(config, KAFKA_TIMEOUT);
        try {
            registry(registry);
        } catch (IOException e) {
            if (!registryMayBeDown || !isOutage(e)) throw e;
            LOG.warn(
                    "{}; starting anyway: no record is read until the schema registry answers (each is retried)",
                    e.getMessage());
        }
    }

    /** One {@code DescribeCluster} request with the configuration's client and security settings. */
    static void kafka(PipelineConfig config, Duration timeout) throws IOException {
        Properties props = new Properties();
        config.streams().forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains((String) k)) props.put(k, v);
        });
        int ms = (int) timeout.toMillis();
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        String where = "Kafka at " + config.get("bootstrap.servers") + " (" + protocol(config) + ")";
        Admin admin;
        try {
            admin = Admin.create(props);
        } catch (KafkaException e) {
            // A truststore that is missing or has another password: Kafka's message names the file.
            throw new IOException("cannot set up the client for " + where + ": " + rootMessage(e), e);
        }
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(ms))
                    .clusterId()
                    .get(ms + 5_000L, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException(kafkaFailure(where, config, e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException(where + " did not answer within " + timeout.toSeconds()
                    + " s: check bootstrap.servers and security.protocol");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to " + where, e);
        } finally {
            admin.close(Duration.ofSeconds(2));
        }
    }

    /**
     * Whether a failed {@link #registry} check is an outage, which may heal (no answer, HTTP 408, 429 or
     * 5xx after the client's retries), rather than a refusal (credentials, TLS, a wrong URL).
     */
    static boolean isOutage(IOException e) {
        return e.getCause() instanceof SchemaRegistryException r
                && r.isRetriable()
                && find(r, SSLException.class) == null;
    }

    /** One {@code GET /subjects} with the registry client's URL, TLS settings and credentials. */
    static void registry(SchemaRegistryClient registry) throws IOException {
        try {
            registry.subjects();
        } catch (SchemaRegistryException e) {
            CertificateException cert = find(e, CertificateException.class);
            if (cert != null) {
                throw new IOException(
                        "TLS handshake with the schema registry at "
                                + registry.config().url()
                                + " failed: its certificate is not trusted (" + cert.getMessage()
                                + "); set schema.registry.ssl.truststore.location to a truststore with its CA",
                        e);
            }
            if (find(e, SSLException.class) != null) {
                throw new IOException(
                        "TLS handshake with the schema registry at "
                                + registry.config().url() + " failed: " + rootMessage(e),
                        e);
            }
            // Its message says it already: "... (HTTP 401): the credentials of user 'x' were rejected".
            throw new IOException(e.getMessage(), e);
        }
    }

    static String kafkaFailure(String where, PipelineConfig config, Throwable e) {
        if (e instanceof SaslAuthenticationException) {
            return where + " rejected SASL user '" + user(config) + "' (" + config.get("sasl.mechanism")
                    + "): authentication failed; check the password in sasl.jaas.config. The broker said: "
                    + e.getMessage();
        }
        if (e instanceof SslAuthenticationException) {
            CertificateException cert = find(e, CertificateException.class);
            return cert != null
                    ? "TLS handshake with " + where + " failed: the broker's certificate is not trusted ("
                            + cert.getMessage()
                            + "); set ssl.truststore.location to a truststore with its CA"
                    : "TLS handshake with " + where + " failed: " + rootMessage(e);
        }
        if (e instanceof AuthenticationException) {
            return where + " rejected the client's authentication: " + e.getMessage();
        }
        return where + " failed: " + rootMessage(e);
    }

    /** The user name in {@code sasl.jaas.config}, or a placeholder; never anything else of that line. */
    static String user(PipelineConfig config) {
        String jaas = config.get("sasl.jaas.config");
        if (jaas == null) return "(no sasl.jaas.config)";
        Matcher m = JAAS_USER.matcher(jaas);
        if (!m.find()) return "(no username in sasl.jaas.config)";
        return m.group(1) != null ? m.group(1) : m.group(2);
    }

    private static String protocol(PipelineConfig config) {
        String p = config.get("security.protocol");
        return p == null ? "PLAINTEXT" : p;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) return type.cast(t);
        }
        return null;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = root.getMessage();
        return root == e ? String.valueOf(m) : e.getMessage() + ": " + m;
    }
}
