package io.skypack.eval;

/**
 * COCO's object area ranges in square pixels, bounds inclusive on both ends as cocoeval tests
 * {@code area < lo or area > hi} (so an object of exactly 32^2 is both small and medium).
 */
public enum AreaRange {
    ALL("all", 0, 1e10),
    SMALL("small", 0, 32 * 32),
    MEDIUM("medium", 32 * 32, 96 * 96),
    LARGE("large", 96 * 96, 1e10);

    private final String label;
    private final double min;
    private final double max;

    AreaRange(String label, double min, double max) {
        this.label = label;
        this.min = min;
        this.max = max;
    }

    public String label() {
        return label;
    }

    /** True when {@code area} (square pixels) lies in [min, max]. */
    public boolean contains(double area) {
        return !(area < min || area > max);
    }
}
