package io.skypack.registry;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * How to reach a schema registry that speaks the Confluent REST API (Confluent, Apicurio's ccompat
 * API, Redpanda, Karapace): where, with which credentials and TLS material, and how hard to retry.
 *
 * <p>Immutable. Built in code with {@link #builder(String)} or from client properties with {@link
 * #fromMap(Map)}; the property names are Confluent's, so existing client configurations carry over.
 * Secrets never leave this object in readable form: {@link #toString()} masks every password and the
 * password half of the basic-auth user info.
 */
public final class SchemaRegistryConfig {

    public static final String URL = "schema.registry.url";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    public static final String KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
    public static final String KEY_PASSWORD = "schema.registry.ssl.key.password";
    public static final String CONNECT_TIMEOUT_MS = "schema.registry.connect.timeout.ms";
    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    public static final String RETRIES = "schema.registry.retries";
    public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "schema.registry.retry.backoff.max.ms";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";

    /** The keys above with their types, defaults, validators and documentation. */
    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(
                    URL,
                    Type.STRING,
                    ConfigDef.NO_DEFAULT_VALUE,
                    new ConfigDef.NonEmptyString(),
                    Importance.HIGH,
                    "Base URL of the registry's Confluent-compatible API, e.g. http://registry:8081 or"
                            + " http://apicurio:8080/apis/ccompat/v7. User info in the URL is taken as basic-auth"
                            + " credentials and removed from the URL.")
            .define(
                    BASIC_AUTH_USER_INFO,
                    Type.PASSWORD,
                    null,
                    Importance.MEDIUM,
                    "Basic-auth credentials as 'user:password'; none when unset.")
            .define(
                    TRUSTSTORE_LOCATION,
                    Type.STRING,
                    null,
                    Importance.MEDIUM,
                    "Truststore file with the CA certificates that sign the registry's certificate; the JVM's"
                            + " default trust when unset.")
            .define(TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, "Password of the truststore.")
            .define(
                    TRUSTSTORE_TYPE,
                    Type.STRING,
                    KeyStore.getDefaultType(),
                    Importance.LOW,
                    "Truststore format (PKCS12 or JKS).")
            .define(
                    KEYSTORE_LOCATION,
                    Type.STRING,
                    null,
                    Importance.MEDIUM,
                    "Keystore file with this client's key and certificate for mutual TLS; none when unset.")
            .define(KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, "Password of the keystore.")
            .define(
                    KEYSTORE_TYPE,
                    Type.STRING,
                    KeyStore.getDefaultType(),
                    Importance.LOW,
                    "Keystore format (PKCS12 or JKS).")
            .define(
                    KEY_PASSWORD,
                    Type.PASSWORD,
                    null,
                    Importance.LOW,
                    "Password of the private key in the keystore; the keystore password when unset.")
            .define(
                    CONNECT_TIMEOUT_MS,
                    Type.LONG,
                    5_000L,
                    ConfigDef.Range.atLeast(1),
                    Importance.LOW,
                    "Time to establish a connection, milliseconds.")
            .define(
                    REQUEST_TIMEOUT_MS,
                    Type.LONG,
                    10_000L,
                    ConfigDef.Range.atLeast(1),
                    Importance.LOW,
                    "Time for one request to complete, milliseconds.")
            .define(
                    RETRIES,
                    Type.INT,
                    5,
                    ConfigDef.Range.atLeast(0),
                    Importance.LOW,
                    "Retries of a request after a connection error, a timeout, HTTP 429 or HTTP 5xx.")
            .define(
                    RETRY_BACKOFF_MS,
                    Type.LONG,
                    100L,
                    ConfigDef.Range.atLeast(0),
                    Importance.LOW,
                    "Wait before the first retry, milliseconds; doubles with every further retry.")
            .define(
                    RETRY_BACKOFF_MAX_MS,
                    Type.LONG,
                    5_000L,
                    ConfigDef.Range.atLeast(0),
                    Importance.LOW,
                    "Upper bound of the wait between retries, milliseconds.")
            .define(
                    AUTO_REGISTER_SCHEMAS,
                    Type.BOOLEAN,
                    true,
                    Importance.MEDIUM,
                    "Whether serializers register a record's schema under its subject when it is not there yet."
                            + " Turn off where schemas are registered by a deployment step, so a producer can only"
                            + " write schemas that were registered (and checked for compatibility) before.");

    private final URI url;
    private final String user;
    private final Password password;
    private final Path truststore;
    private final Password truststorePassword;
    private final String truststoreType;
    private final Path keystore;
    private final Password keystorePassword;
    private final String keystoreType;
    private final Password keyPassword;
    private final SSLContext sslContext;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final int retries;
    private final Duration retryBackoff;
    private final Duration retryBackoffMax;
    private final boolean autoRegister;

    private SchemaRegistryConfig(Builder b) {
        URI parsed = parseUrl(b.url);
        String userInfo = parsed.getRawUserInfo();
        String user = b.user;
        Password password = b.password;
        if (userInfo != null) {
            if (user == null) {
                int colon = userInfo.indexOf(':');
                user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
                password = new Password(colon < 0 ? "" : decode(userInfo.substring(colon + 1)));
            }
            parsed = withoutUserInfo(parsed);
        }
        this.url = parsed;
        this.user = user;
        this.password = password;
        this.truststore = b.truststore;
        this.truststorePassword = b.truststorePassword;
        this.truststoreType = b.truststoreType;
        this.keystore = b.keystore;
        this.keystorePassword = b.keystorePassword;
        this.keystoreType = b.keystoreType;
        this.keyPassword = b.keyPassword;
        this.sslContext = b.sslContext;
        this.connectTimeout = positive(CONNECT_TIMEOUT_MS, b.connectTimeout);
        this.requestTimeout = positive(REQUEST_TIMEOUT_MS, b.requestTimeout);
        if (b.retries < 0) throw new ConfigException(RETRIES, b.retries, "must be at least 0");
        this.retries = b.retries;
        this.retryBackoff = notNegative(RETRY_BACKOFF_MS, b.retryBackoff);
        this.retryBackoffMax = notNegative(RETRY_BACKOFF_MAX_MS, b.retryBackoffMax);
        this.autoRegister = b.autoRegister;
        if (sslContext != null && (truststore != null || keystore != null)) {
            throw new ConfigException("either an SSLContext or truststore/keystore files, not both");
        }
    }

    /** A builder for the registry at {@code url} with the defaults of {@link #CONFIG_DEF}. */
    public static Builder builder(String url) {
        return new Builder(url);
    }

    /**
     * From client properties (the keys of {@link #CONFIG_DEF}; other keys are ignored, so a whole
     * Kafka client configuration can be passed).
     *
     * @throws ConfigException naming the key when a value is missing or invalid
     */
    public static SchemaRegistryConfig fromMap(Map<String, ?> props) {
        Map<String, Object> v = CONFIG_DEF.parse(props);
        Builder b = builder((String) v.get(URL));
        Password userInfo = (Password) v.get(BASIC_AUTH_USER_INFO);
        if (userInfo != null) {
            String s = userInfo.value();
            int colon = s.indexOf(':');
            if (colon < 0) {
                throw new ConfigException(BASIC_AUTH_USER_INFO, "[hidden]", "must be 'user:password'");
            }
            b.basicAuth(s.substring(0, colon), s.substring(colon + 1));
        }
        String truststore = (String) v.get(TRUSTSTORE_LOCATION);
        if (truststore != null) {
            b.truststore(Path.of(truststore), reveal((Password) v.get(TRUSTSTORE_PASSWORD)), (String)
                    v.get(TRUSTSTORE_TYPE));
        }
        String keystore = (String) v.get(KEYSTORE_LOCATION);
        if (keystore != null) {
            b.keystore(
                    Path.of(keystore),
                    reveal((Password) v.get(KEYSTORE_PASSWORD)),
                    (String) v.get(KEYSTORE_TYPE),
                    reveal((Password) v.get(KEY_PASSWORD)));
        }
        return b.connectTimeout(Duration.ofMillis((Long) v.get(CONNECT_TIMEOUT_MS)))
                .requestTimeout(Duration.ofMillis((Long) v.get(REQUEST_TIMEOUT_MS)))
                .retries((Integer) v.get(RETRIES))
                .retryBackoff(Duration.ofMillis((Long) v.get(RETRY_BACKOFF_MS)), Duration.ofMillis((Long)
                        v.get(RETRY_BACKOFF_MAX_MS)))
                .autoRegister((Boolean) v.get(AUTO_REGISTER_SCHEMAS))
                .build();
    }

    /** Base URL of the Confluent-compatible API, without user info and without a trailing slash. */
    public URI url() {
        return url;
    }

    /** Basic-auth user, or null when the registry is reached without credentials. */
    public String user() {
        return user;
    }

    /** {@code user:password} for the Authorization header, or null. Package-private: a secret. */
    String userInfo() {
        return user == null ? null : user + ":" + password.value();
    }

    Path truststore() {
        return truststore;
    }

    char[] truststorePassword() {
        return chars(truststorePassword);
    }

    String truststoreType() {
        return truststoreType;
    }

    Path keystore() {
        return keystore;
    }

    char[] keystorePassword() {
        return chars(keystorePassword);
    }

    String keystoreType() {
        return keystoreType;
    }

    /** The key password, falling back to the keystore password as Kafka's clients do. */
    char[] keyPassword() {
        return keyPassword != null ? chars(keyPassword) : chars(keystorePassword);
    }

    SSLContext sslContext() {
        return sslContext;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** Retries after the first attempt; 0 means one attempt only. */
    public int retries() {
        return retries;
    }

    public Duration retryBackoff() {
        return retryBackoff;
    }

    public Duration retryBackoffMax() {
        return retryBackoffMax;
    }

    /** Whether serializers register missing schemas ({@value #AUTO_REGISTER_SCHEMAS}). */
    public boolean autoRegister() {
        return autoRegister;
    }

    /** All settings, every secret replaced by {@code [hidden]}. */
    @Override
    public String toString() {
        return "SchemaRegistryConfig{url=" + url
                + ", user=" + (user == null ? "none" : user + ":[hidden]")
                + ", truststore=" + (truststore == null ? "default" : truststore + " (" + truststoreType + ")")
                + ", truststorePassword=" + mask(truststorePassword)
                + ", keystore=" + (keystore == null ? "none" : keystore + " (" + keystoreType + ")")
                + ", keystorePassword=" + mask(keystorePassword)
                + ", keyPassword=" + mask(keyPassword)
                + ", sslContext=" + (sslContext == null ? "none" : "provided")
                + ", connectTimeout=" + connectTimeout.toMillis() + "ms"
                + ", requestTimeout=" + requestTimeout.toMillis() + "ms"
                + ", retries=" + retries
                + ", retryBackoff=" + retryBackoff.toMillis() + ".." + retryBackoffMax.toMillis() + "ms"
                + ", autoRegister=" + autoRegister + "}";
    }

    private static String mask(Password p) {
        return p == null ? "none" : "[hidden]";
    }

    private static char[] chars(Password p) {
        return p == null ? null : p.value().toCharArray();
    }

    private static String reveal(Password p) {
        return p == null ? null : p.value();
    }

    private static URI parseUrl(String url) {
        if (url == null || url.isBlank()) throw new ConfigException(URL, url, "is required");
        String trimmed = url.strip();
        if (trimmed.contains(",")) {
            throw new ConfigException(URL, trimmed, "give one URL (a load balancer in front of several registries)");
        }
        while (trimmed.endsWith("/")) trimmed = trimmed.substring(0, trimmed.length() - 1);
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            // The message of URISyntaxException quotes the input, which may hold credentials.
            throw new ConfigException(URL, "[not shown]", "is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || uri.getHost() == null) {
            throw new ConfigException(URL, withoutUserInfo(uri).toString(), "must be an http:// or https:// URL");
        }
        return uri;
    }

    private static URI withoutUserInfo(URI uri) {
        try {
            return new URI(
                    uri.getScheme(),
                    null,
                    uri.getHost(),
                    uri.getPort(),
                    uri.getPath(),
                    uri.getQuery(),
                    uri.getFragment());
        } catch (URISyntaxException e) {
            throw new ConfigException(URL, "[not shown]", "is not a valid URL: " + e.getReason());
        }
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static Duration positive(String key, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) throw new ConfigException(key, d, "must be positive");
        return d;
    }

    private static Duration notNegative(String key, Duration d) {
        if (d == null || d.isNegative()) throw new ConfigException(key, d, "must not be negative");
        return d;
    }

    /** Collects settings; {@link #build()} validates them and names the offending key. */
    public static final class Builder {
        private final String url;
        private String user;
        private Password password;
        private Path truststore;
        private Password truststorePassword;
        private String truststoreType = KeyStore.getDefaultType();
        private Path keystore;
        private Password keystorePassword;
        private String keystoreType = KeyStore.getDefaultType();
        private Password keyPassword;
        private SSLContext sslContext;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private int retries = 5;
        private Duration retryBackoff = Duration.ofMillis(100);
        private Duration retryBackoffMax = Duration.ofSeconds(5);
        private boolean autoRegister = true;

        private Builder(String url) {
            this.url = url;
        }

        public Builder basicAuth(String user, String password) {
            this.user = Objects.requireNonNull(user, "user");
            this.password = new Password(Objects.requireNonNull(password, "password"));
            return this;
        }

        /** Trust the certificates in this store instead of the JVM's default CAs. */
        public Builder truststore(Path file, String password, String type) {
            this.truststore = Objects.requireNonNull(file, "truststore file");
            this.truststorePassword = password == null ? null : new Password(password);
            this.truststoreType = type == null ? KeyStore.getDefaultType() : type;
            return this;
        }

        /** Present the key in this store (mutual TLS); {@code keyPassword} null means the store password. */
        public Builder keystore(Path file, String password, String type, String keyPassword) {
            this.keystore = Objects.requireNonNull(file, "keystore file");
            this.keystorePassword = password == null ? null : new Password(password);
            this.keystoreType = type == null ? KeyStore.getDefaultType() : type;
            this.keyPassword = keyPassword == null ? null : new Password(keyPassword);
            return this;
        }

        /** Use this TLS context as it is (e.g. one shared with the Kafka clients). */
        public Builder sslContext(SSLContext context) {
            this.sslContext = Objects.requireNonNull(context, "sslContext");
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /** Retries after the first attempt on connection errors, timeouts, HTTP 429 and 5xx. */
        public Builder retries(int retries) {
            this.retries = retries;
            return this;
        }

        /** First wait and upper bound of the exponential backoff between retries. */
        public Builder retryBackoff(Duration initial, Duration max) {
            this.retryBackoff = initial;
            this.retryBackoffMax = max;
            return this;
        }

        /** Whether serializers register a record's schema when it is not registered yet. */
        public Builder autoRegister(boolean autoRegister) {
            this.autoRegister = autoRegister;
            return this;
        }

        public SchemaRegistryConfig build() {
            return new SchemaRegistryConfig(this);
        }
    }
}
