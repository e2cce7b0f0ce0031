package io.skypack.train.data;

import java.util.Arrays;
import java.util.List;

/**
 * The VisDrone object categories with their ids as they appear in annotation files. Ids 1..10 are
 * the evaluated classes; 0 marks ignored regions and 11 "others", both handled by the evaluator as
 * the official toolkit does (see {@code io.skypack.eval}).
 */
public enum VisDroneCategory {
    IGNORED_REGION(0, "ignored-regions"),
    PEDESTRIAN(1, "pedestrian"),
    PEOPLE(2, "people"),
    BICYCLE(3, "bicycle"),
    CAR(4, "car"),
    VAN(5, "van"),
    TRUCK(6, "truck"),
    TRICYCLE(7, "tricycle"),
    AWNING_TRICYCLE(8, "awning-tricycle"),
    BUS(9, "bus"),
    MOTOR(10, "motor"),
    OTHERS(11, "others");

    private final int id;
    private final String label;

    VisDroneCategory(int id, String label) {
        this.id = id;
        this.label = label;
    }

    public int id() {
        return id;
    }

    /** The name used by the VisDrone toolkit and in our reports. */
    public String label() {
        return label;
    }

    /** True for the ten classes that are scored (ids 1..10). */
    public boolean evaluated() {
        return id >= 1 && id <= 10;
    }

    public static VisDroneCategory ofId(int id) {
        if (id < 0 || id >= values().length) {
            throw new IllegalArgumentException("unknown VisDrone category id " + id + " (expected 0..11)");
        }
        return values()[id];
    }

    public static VisDroneCategory ofLabel(String label) {
        return Arrays.stream(values())
                .filter(c -> c.label.equalsIgnoreCase(label) || c.name().equalsIgnoreCase(label))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown VisDrone category '" + label + "'"));
    }

    /** The ten scored classes in id order. */
    public static List<VisDroneCategory> evaluatedClasses() {
        return Arrays.stream(values()).filter(VisDroneCategory::evaluated).toList();
    }
}
