package io.skypack.train.data;

import io.skypack.detect.Box;
import io.skypack.detect.MaskRle;

/**
 * One ground-truth line of a VisDrone annotation file.
 *
 * @param targetId the object's track id within its sequence (VisDrone-VID), or the 1-based line
 *     number within its file for VisDrone-DET, which has no track ids
 * @param box in image pixels
 * @param category VisDrone category id 0..11
 * @param scoreFlag the file's score column: 1 when the box is considered, 0 when it is ignored
 * @param truncation 0 none, 1 partial (VisDrone: fraction of the object outside the frame)
 * @param occlusion 0 none, 1 partial (1-50%), 2 heavy (50-100%)
 * @param mask full-image instance mask, or null when the dataset has none
 */
public record Annotation(
        int targetId, Box box, int category, int scoreFlag, int truncation, int occlusion, MaskRle mask) {

    public boolean isIgnoredRegion() {
        return category == VisDroneCategory.IGNORED_REGION.id();
    }

    public Annotation withMask(MaskRle newMask) {
        return new Annotation(targetId, box, category, scoreFlag, truncation, occlusion, newMask);
    }
}
