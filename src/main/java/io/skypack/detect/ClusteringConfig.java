package io.skypack.detect;

/**
 * Knobs of {@link ForegroundClusterer} (DESIGN.md section 4, "UFP: clustering").
 *
 * @param enlargement each candidate box is scaled by this about its centre before clustering, {@code >= 1}
 * @param smallSide a region whose members' mean original area is below {@code smallSide^2} gets {@code smallZoom}
 * @param smallZoom zoom for regions of small objects, {@code >= 1}
 * @param mediumSide below {@code mediumSide^2} (and not small) the region gets {@code mediumZoom}; above, zoom 1
 * @param mediumZoom zoom for regions of medium objects, {@code >= 1}
 */
public record ClusteringConfig(double enlargement, double smallSide, int smallZoom, double mediumSide, int mediumZoom) {

    /** DESIGN.md defaults, as the published UFPMP-Det code: 1.5x, zoom 4 below 32^2, zoom 2 below 96^2. */
    public static final ClusteringConfig DEFAULT = new ClusteringConfig(1.5, 32, 4, 96, 2);

    public ClusteringConfig {
        if (!(enlargement >= 1) || Double.isInfinite(enlargement)) {
            throw new IllegalArgumentException("enlargement must be a finite number >= 1: " + enlargement);
        }
        if (!(smallSide >= 0 && smallSide <= mediumSide) || Double.isInfinite(mediumSide)) {
            throw new IllegalArgumentException(
                    "need 0 <= smallSide <= mediumSide < infinity: " + smallSide + ", " + mediumSide);
        }
        if (smallZoom < 1 || mediumZoom < 1) {
            throw new IllegalArgumentException("zooms must be >= 1: " + smallZoom + ", " + mediumZoom);
        }
    }

    /** Zoom for a region whose member boxes have this mean original (un-enlarged) area in frame pixels. */
    public int zoomFor(double meanArea) {
        if (meanArea < smallSide * smallSide) return smallZoom;
        if (meanArea < mediumSide * mediumSide) return mediumZoom;
        return 1;
    }
}
