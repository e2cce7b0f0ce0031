package io.skypack.registry;

/**
 * Confluent's default subject naming: the subject of a topic's values is {@code <topic>-value}, of
 * its keys {@code <topic>-key}, so each topic carries one record type that evolves on its own.
 */
public final class TopicNameStrategy {
    private TopicNameStrategy() {}

    public static String subject(String topic, boolean isKey) {
        if (topic == null || topic.isEmpty()) throw new IllegalArgumentException("topic is required for a subject");
        return topic + (isKey ? "-key" : "-value");
    }
}
