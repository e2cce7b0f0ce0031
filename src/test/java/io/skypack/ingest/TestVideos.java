package io.skypack.ingest;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;

/**
 * Test videos, encoded with the bundled FFmpeg libraries (the same jar the readers use): generated frames, a
 * bright square moving right on a dark gradient, so a frame can be recognised after a decode.
 */
public final class TestVideos {
    private TestVideos() {}

    /** Frame {@code i} of a generated flight: the square's left edge is at {@link #squareX(int)}. */
    public static BufferedImage frame(int i, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        for (int y = 0; y < height; y += 8) {
            g.setColor(new Color(20, 40 + 60 * y / height, 60));
            g.fillRect(0, y, width, 8);
        }
        g.setColor(Color.WHITE);
        g.fillRect(squareX(i), height / 2 - 8, 16, 16);
        g.dispose();
        return img;
    }

    public static int squareX(int i) {
        return 8 + 12 * i;
    }

    public static List<BufferedImage> frames(int n, int width, int height) {
        List<BufferedImage> frames = new ArrayList<>();
        for (int i = 0; i < n; i++) frames.add(frame(i, width, height));
        return frames;
    }

    /**
     * Encodes frames into a video file; the container follows the file name (mp4, mkv, ts, avi ...).
     *
     * @param encoder an FFmpeg encoder name: {@code libopenh264} (H.264), {@code mpeg4}, {@code mjpeg}
     */
    public static Path write(Path file, List<BufferedImage> frames, int fps, String encoder) throws IOException {
        LibavVideoReader.loadLibraries();
        int w = frames.get(0).getWidth(), h = frames.get(0).getHeight();
        AVFormatContext out = new AVFormatContext(null);
        check(avformat.avformat_alloc_output_context2(out, null, (String) null, file.toString()), "container");
        AVCodec codec = avcodec.avcodec_find_encoder_by_name(encoder);
        if (codec == null) throw new IOException("no encoder " + encoder);
        AVStream stream = avformat.avformat_new_stream(out, null);
        AVCodecContext c = avcodec.avcodec_alloc_context3(codec);
        int pixFmt = encoder.equals("mjpeg") ? avutil.AV_PIX_FMT_YUVJ420P : avutil.AV_PIX_FMT_YUV420P;
        c.width(w);
        c.height(h);
        c.pix_fmt(pixFmt);
        c.time_base(avutil.av_make_q(1, fps));
        c.framerate(avutil.av_make_q(fps, 1));
        c.gop_size(fps);
        c.bit_rate(2_000_000);
        if ((out.oformat().flags() & avformat.AVFMT_GLOBALHEADER) != 0) {
            c.flags(c.flags() | avcodec.AV_CODEC_FLAG_GLOBAL_HEADER);
        }
        check(avcodec.avcodec_open2(c, codec, (AVDictionary) null), "encoder");
        check(avcodec.avcodec_parameters_from_context(stream.codecpar(), c), "parameters");
        stream.time_base(c.time_base());
        AVIOContext io = new AVIOContext(null);
        check(avformat.avio_open(io, file.toString(), avformat.AVIO_FLAG_WRITE), "open " + file);
        out.pb(io);
        check(avformat.avformat_write_header(out, (AVDictionary) null), "header");

        AVFrame bgr = avutil.av_frame_alloc();
        AVFrame yuv = avutil.av_frame_alloc();
        AVPacket pkt = avcodec.av_packet_alloc();
        SwsContext sws = swscale.sws_getContext(
                w, h, avutil.AV_PIX_FMT_BGR24, w, h, pixFmt, swscale.SWS_BILINEAR, null, null, (DoublePointer) null);
        try {
            for (int i = 0; i < frames.size(); i++) {
                byte[] pixels = ((DataBufferByte) frames.get(i).getRaster().getDataBuffer()).getData();
                avutil.av_frame_unref(bgr);
                bgr.format(avutil.AV_PIX_FMT_BGR24);
                bgr.width(w);
                bgr.height(h);
                check(avutil.av_frame_get_buffer(bgr, 0), "frame");
                BytePointer plane = bgr.data(0);
                for (int y = 0; y < h; y++)
                    plane.position((long) y * bgr.linesize(0)).put(pixels, y * w * 3, w * 3);
                plane.position(0);
                avutil.av_frame_unref(yuv);
                yuv.format(pixFmt);
                yuv.width(w);
                yuv.height(h);
                check(avutil.av_frame_get_buffer(yuv, 0), "frame");
                swscale.sws_scale(sws, bgr.data(), bgr.linesize(), 0, h, yuv.data(), yuv.linesize());
                yuv.pts(i);
                check(avcodec.avcodec_send_frame(c, yuv), "encode");
                drain(out, c, stream, pkt);
            }
            check(avcodec.avcodec_send_frame(c, null), "flush");
            drain(out, c, stream, pkt);
            check(avformat.av_write_trailer(out), "trailer");
        } finally {
            swscale.sws_freeContext(sws);
            avcodec.av_packet_free(pkt);
            avutil.av_frame_free(bgr);
            avutil.av_frame_free(yuv);
            avcodec.avcodec_free_context(c);
            avformat.avio_closep(out.pb());
            avformat.avformat_free_context(out);
        }
        return file;
    }

    private static void drain(AVFormatContext out, AVCodecContext c, AVStream stream, AVPacket pkt) throws IOException {
        while (true) {
            int r = avcodec.avcodec_receive_packet(c, pkt);
            if (r == avutil.AVERROR_EAGAIN() || r == avutil.AVERROR_EOF()) return;
            check(r, "encode");
            if (pkt.duration() == 0) pkt.duration(1); // one frame; mp4 drops a last sample that has none
            avcodec.av_packet_rescale_ts(pkt, c.time_base(), stream.time_base());
            pkt.stream_index(stream.index());
            check(avformat.av_interleaved_write_frame(out, pkt), "write");
        }
    }

    private static void check(int r, String what) throws IOException {
        if (r < 0) {
            byte[] text = new byte[256];
            avutil.av_strerror(r, text, text.length);
            throw new IOException(what + ": " + new String(text).trim());
        }
    }
}
