package io.skypack.train.synth;

import java.awt.Color;

/**
 * One object in a synthetic world, in world metres: centre (x, y), heading in radians (0 = +x),
 * footprint length along the heading and width across it, and height above ground (used for
 * shadows and the oblique side view). Moving objects advance in {@link World#step(double)}; this
 * state is private to one flight's generator thread.
 */
final class SceneObject {
    final int trackId;
    final int category;
    final int variant;
    final double length;
    final double width;
    final double height;
    final Color primary;
    final Color secondary;
    double x;
    double y;
    double heading;
    /** Metres per second along the heading; 0 for parked objects. */
    double speed;
    /** For walkers: the area they stay in; null for road traffic. */
    final double[] bounds;
    /** For road traffic: the world extent along the road, to wrap around at its ends. */
    double wrapMin;

    double wrapMax;

    SceneObject(
            int trackId,
            int category,
            int variant,
            double length,
            double width,
            double height,
            Color primary,
            Color secondary,
            double x,
            double y,
            double heading,
            double speed,
            double[] bounds) {
        this.trackId = trackId;
        this.category = category;
        this.variant = variant;
        this.length = length;
        this.width = width;
        this.height = height;
        this.primary = primary;
        this.secondary = secondary;
        this.x = x;
        this.y = y;
        this.heading = heading;
        this.speed = speed;
        this.bounds = bounds;
    }

    /** Radius of a circle around the centre that holds the object, its top view and its shadow. */
    double reach() {
        return Math.hypot(length, width) / 2 + height * 1.5;
    }
}
