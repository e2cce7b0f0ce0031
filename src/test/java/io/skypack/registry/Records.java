package io.skypack.registry;

import io.skypack.schema.Detection;
import io.skypack.schema.DetectionStats;
import io.skypack.schema.Frame;
import io.skypack.schema.FrameDetections;
import io.skypack.schema.ImageEncoding;
import io.skypack.schema.MaskRle;
import io.skypack.schema.Telemetry;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;

/** Sample records of the topic contracts for serde tests. */
final class Records {
    static final Instant T0 = Instant.parse("2026-05-01T10:15:30.040Z");

    private Records() {}

    static Frame frame(String flightId, long index) {
        return Frame.newBuilder()
                .setFlightId(flightId)
                .setFrameIndex(index)
                .setCaptureTime(T0.plusMillis(40 * index))
                .setWidth(4)
                .setHeight(2)
                .setEncoding(ImageEncoding.RAW_RGB)
                .setImage(ByteBuffer.wrap(new byte[4 * 2 * 3]))
                .setTelemetry(Telemetry.newBuilder()
                        .setAltitudeM(87.5)
                        .setLat(47.3769)
                        .setLon(8.5417)
                        .build())
                .build();
    }

    static FrameDetections detections(String flightId, long index) {
        Detection car = Detection.newBuilder()
                .setX1(10.5f)
                .setY1(20f)
                .setX2(30f)
                .setY2(28.25f)
                .setClassId(3)
                .setClassName("car")
                .setScore(0.91f)
                .setProxy(1)
                .setMask(MaskRle.newBuilder()
                        .setHeight(8)
                        .setWidth(20)
                        .setCounts("52203")
                        .build())
                .build();
        Detection person = Detection.newBuilder()
                .setX1(1f)
                .setY1(2f)
                .setX2(4f)
                .setY2(9f)
                .setClassId(0)
                .setClassName("pedestrian")
                .setScore(0.42f)
                .build();
        return FrameDetections.newBuilder()
                .setFlightId(flightId)
                .setFrameIndex(index)
                .setCaptureTime(T0)
                .setModelId("ufpmp-test")
                .setDetections(List.of(car, person))
                .setStats(DetectionStats.newBuilder()
                        .setRegions(2)
                        .setMosaics(1)
                        .setForegroundFraction(0.125f)
                        .setBatchSize(4)
                        .setTotalMs(12.5f)
                        .build())
                .build();
    }
}
