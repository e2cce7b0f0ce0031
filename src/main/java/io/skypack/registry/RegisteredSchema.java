package io.skypack.registry;

import org.apache.avro.Schema;

/**
 * One version of a subject as the registry holds it.
 *
 * @param subject the subject, e.g. {@code uav.frames-value}
 * @param version the version within the subject, from 1
 * @param id the registry-wide schema id that the wire format carries
 * @param schema the Avro schema
 */
public record RegisteredSchema(String subject, int version, int id, Schema schema) {}
