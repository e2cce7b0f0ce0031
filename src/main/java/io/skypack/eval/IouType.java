package io.skypack.eval;

/** What a detection is compared with: its box or its instance mask (cocoeval's {@code iouType}). */
public enum IouType {
    /** Box IoU; object area for area ranges is box width x height. */
    BBOX("bbox"),
    /**
     * Mask IoU over full-image masks; object area for area ranges is the mask's pixel count, as
     * cocoeval takes it from the segmentation, for ground truth and detections alike (pycocotools'
     * {@code loadRes} would take the box area for segm results that also carry a bbox; we do not
     * follow that quirk). Every evaluated ground truth and detection needs a mask the size of its
     * image. The ignore rule still measures boxes, so bbox and segm evaluate the same objects.
     */
    SEGM("segm");

    private final String cocoName;

    IouType(String cocoName) {
        this.cocoName = cocoName;
    }

    /** The name cocoeval uses ({@code "bbox"} or {@code "segm"}). */
    public String cocoName() {
        return cocoName;
    }
}
