package io.skypack.detect;

import java.util.List;

/**
 * One square canvas of chips, the input of one fine-pass image.
 *
 * @param canvasIndex position in {@link PackingResult#mosaics()}
 * @param size side in pixels
 * @param chips non-overlapping, inside {@code [0, size)^2}
 */
public record Mosaic(int canvasIndex, int size, List<Chip> chips) {
    public Mosaic {
        chips = List.copyOf(chips);
    }

    /** Pixels covered by chips. */
    public long chipArea() {
        long a = 0;
        for (Chip c : chips) a += (long) c.w() * c.h();
        return a;
    }
}
