package io.skypack.registry;

/**
 * Compatibility rules of a subject, as named by the Confluent REST API. SkyPack's topics use {@link
 * #BACKWARD}: consumers with the new schema read data written with the previous one.
 */
public enum Compatibility {
    NONE,
    BACKWARD,
    BACKWARD_TRANSITIVE,
    FORWARD,
    FORWARD_TRANSITIVE,
    FULL,
    FULL_TRANSITIVE
}
