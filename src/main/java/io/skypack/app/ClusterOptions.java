package io.skypack.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where the cluster is: the options {@code detect}, {@code replay} and {@code live} share, over the layered config. */
final class ClusterOptions {
    ClusterOptions() {
        this("replay");
    }

    /** @param defaultProfile the profile when {@code --profile} is not given */
    ClusterOptions(String defaultProfile) {
        this.profile = defaultProfile;
    }

    @Option(
            names = "--bootstrap-servers",
            description = "Kafka bootstrap servers (else bootstrap.servers from config or SKYPACK_BOOTSTRAP_SERVERS).")
    String bootstrap;

    @Option(
            names = "--registry",
            description = "Schema registry URL (else schema.registry.url from config or SKYPACK_SCHEMA_REGISTRY_URL).")
    String registry;

    @Option(names = "--profile", description = "Configuration: replay or live (default ${DEFAULT-VALUE}).")
    String profile;

    @Option(
            names = "--config",
            description = "Properties file layered over the profile (Kafka client, security and skypack.* keys).")
    Path config;

    @Option(names = "--set", description = "KEY=VALUE, over everything else; repeatable.")
    Map<String, String> set = new HashMap<>();

    PipelineConfig load() throws IOException {
        Map<String, String> overrides = new HashMap<>(set);
        if (bootstrap != null) overrides.put("bootstrap.servers", bootstrap);
        if (registry != null) overrides.put("schema.registry.url", registry);
        PipelineConfig cfg = PipelineConfig.load(profile, config, System.getenv(), overrides);
        if (cfg.get("bootstrap.servers") == null) {
            throw new IllegalArgumentException(
                    "no Kafka cluster: give --bootstrap-servers, SKYPACK_BOOTSTRAP_SERVERS or bootstrap.servers in --config");
        }
        return cfg;
    }
}
