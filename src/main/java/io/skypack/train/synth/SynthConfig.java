package io.skypack.train.synth;

/**
 * The knobs of the synthetic-flight generator. Same config (seed included) gives byte-identical
 * output on the same JVM.
 *
 * @param width frame width in pixels
 * @param height frame height in pixels
 * @param frames frames per flight
 * @param flights number of flights; flight {@code i} draws from seed {@code seed * 1000 + i}
 * @param fps frame rate; sets object and camera motion between frames
 * @param minAltitude lowest camera altitude in metres above ground
 * @param maxAltitude highest camera altitude in metres; altitude drifts between the two during a
 *     flight, which changes object sizes (a car is ~95 px long at 40 m and ~35 px at 110 m)
 * @param density multiplier on the number of objects (1 = default scene density, 0 = empty)
 * @param lighting sun brightness: 1 is a clear midday, 0.35 dusk; below 1 also means lower
 *     contrast and longer, softer shadows
 * @param motionBlur blur length in pixels along the camera motion (0 = sharp)
 * @param jpegQuality JPEG quality in (0, 1]
 * @param seed master seed
 */
public record SynthConfig(
        int width,
        int height,
        int frames,
        int flights,
        double fps,
        double minAltitude,
        double maxAltitude,
        double density,
        double lighting,
        double motionBlur,
        double jpegQuality,
        long seed) {

    /** Metres of ground per pixel per metre of altitude (a ~75 degree horizontal field of view at 1280 px). */
    public static final double GSD_PER_METRE_ALTITUDE = 0.0012;

    public SynthConfig {
        require(width >= 64 && width <= 8192, "width", width, "between 64 and 8192");
        require(height >= 64 && height <= 8192, "height", height, "between 64 and 8192");
        require(frames >= 1, "frames", frames, "at least 1");
        require(flights >= 1, "flights", flights, "at least 1");
        require(fps > 0 && fps <= 120, "fps", fps, "in (0, 120]");
        require(minAltitude >= 5, "min-altitude", minAltitude, "at least 5 m");
        require(
                maxAltitude >= minAltitude && maxAltitude <= 500,
                "max-altitude",
                maxAltitude,
                "in [min-altitude, 500] m");
        require(density >= 0 && density <= 10, "density", density, "in [0, 10]");
        require(lighting >= 0.1 && lighting <= 2, "lighting", lighting, "in [0.1, 2]");
        require(motionBlur >= 0 && motionBlur <= 50, "motion-blur", motionBlur, "in [0, 50] px");
        require(jpegQuality > 0 && jpegQuality <= 1, "jpeg-quality", jpegQuality, "in (0, 1]");
    }

    public static SynthConfig defaults() {
        return new SynthConfig(1280, 720, 60, 1, 10, 40, 110, 1.0, 1.0, 0, 0.92, 42);
    }

    /** The seed of flight {@code index}, so one flight can be regenerated alone. */
    public long flightSeed(int index) {
        return seed * 1000 + index;
    }

    /** The name of flight {@code index}: its sequence folder and annotation file name. */
    public String flightName(int index) {
        return String.format("synth_s%d_f%03d", seed, index);
    }

    private static void require(boolean ok, String key, double value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException("--" + key + " is "
                    + (value == Math.rint(value) ? String.valueOf((long) value) : value) + ", must be " + expected);
        }
    }
}
