package io.skypack.stream;

import io.skypack.detect.BatchStats;
import io.skypack.detect.Box;
import io.skypack.detect.FrameResult;
import io.skypack.schema.Detection;
import io.skypack.schema.DetectionStats;
import io.skypack.schema.Frame;
import io.skypack.schema.FrameDetections;
import io.skypack.schema.MaskRle;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the {@code uav.detections} records (schemas/FrameDetections.avsc) from what a detector found:
 * boxes clipped to the frame, class names, and each mask cut down to its box, as the schema says (a
 * whole-frame mask per detection would make a record of a busy frame megabytes long).
 */
final class DetectionRecords {
    private DetectionRecords() {}

    /** The record of a frame the detector ran on. */
    static FrameDetections detected(
            Frame frame,
            FrameResult result,
            BatchStats batch,
            int batchSize,
            double frameMs,
            InferenceStage.Settings settings) {
        List<Detection> detections = new ArrayList<>(result.detections().size());
        int w = frame.getWidth(), h = frame.getHeight();
        double foreground = 0;
        for (var region : result.regions())
            foreground += region.region().clip(w, h).area();
        for (io.skypack.detect.Detection d : result.detections()) {
            if (d.score() < settings.minScore()) continue;
            Box b = d.box().clip(w, h);
            detections.add(Detection.newBuilder()
                    .setX1((float) b.x1())
                    .setY1((float) b.y1())
                    .setX2((float) b.x2())
                    .setY2((float) b.y2())
                    .setClassId(d.category())
                    .setClassName(settings.classNames().apply(d.category()))
                    .setScore((float) d.score())
                    .setProxy(d.proxy())
                    .setMask(d.mask() == null ? null : maskWithinBox(d.mask(), b))
                    .build());
        }
        DetectionStats stats = DetectionStats.newBuilder()
                .setRegions(result.regions().size())
                .setMosaics(batch.mosaics())
                .setForegroundFraction((float) Math.min(1, foreground / Math.max(1.0, (double) w * h)))
                .setBatchSize(batchSize)
                .setCoarseMs((float) batch.coarseMs())
                .setPackMs((float) batch.packMs())
                .setFineMs((float) batch.fineMs())
                .setTotalMs((float) frameMs)
                .setSkipped(false)
                .setSkipReason(null)
                .build();
        return record(frame, settings.modelId(), detections, stats);
    }

    /** The record of a frame that was not run through the detector, and why. */
    static FrameDetections skipped(Frame frame, int batchSize, double frameMs, String modelId, String reason) {
        DetectionStats stats = DetectionStats.newBuilder()
                .setRegions(0)
                .setMosaics(0)
                .setForegroundFraction(0f)
                .setBatchSize(batchSize)
                .setCoarseMs(0f)
                .setPackMs(0f)
                .setFineMs(0f)
                .setTotalMs((float) frameMs)
                .setSkipped(true)
                .setSkipReason(reason)
                .build();
        return record(frame, modelId, List.of(), stats);
    }

    private static FrameDetections record(
            Frame frame, String modelId, List<Detection> detections, DetectionStats stats) {
        return FrameDetections.newBuilder()
                .setFlightId(frame.getFlightId())
                .setFrameIndex(frame.getFrameIndex())
                .setCaptureTime(frame.getCaptureTime())
                .setModelId(modelId)
                .setDetections(detections)
                .setStats(stats)
                .build();
    }

    /** The whole-frame mask cut to the box's pixel window {@code [floor x1, ceil x2) x [floor y1, ceil y2)}. */
    static MaskRle maskWithinBox(io.skypack.detect.MaskRle frameMask, Box box) {
        int x0 = (int) Math.floor(box.x1()), y0 = (int) Math.floor(box.y1());
        int x1 = Math.max(x0, (int) Math.ceil(box.x2())), y1 = Math.max(y0, (int) Math.ceil(box.y2()));
        io.skypack.detect.MaskRle crop = frameMask.crop(x0, y0, x1, y1);
        return MaskRle.newBuilder()
                .setHeight(crop.height())
                .setWidth(crop.width())
                .setCounts(crop.toCocoString())
                .build();
    }
}
