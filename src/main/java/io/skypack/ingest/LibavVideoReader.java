package io.skypack.ingest;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOInterruptCB;
import org.bytedeco.ffmpeg.avformat.AVInputFormat;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVDictionaryEntry;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avdevice;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Reads video with FFmpeg's own libraries (libavformat, libavcodec, libswscale), in this process, through
 * the JavaCPP preset from Maven Central ({@code org.bytedeco:ffmpeg}): a file or any URL FFmpeg reads
 * (rtsp, rtmp, srt, udp, tcp, http(s), hls), demuxed, decoded, converted to full-range YUV 4:2:0 and
 * encoded as baseline JPEG by FFmpeg's MJPEG encoder, what {@code ffmpeg -c:v mjpeg -q:v N} does.
 *
 * <p>Why in-process and not the {@code ffmpeg} program the same preset ships: that program links
 * libavdevice, which needs PulseAudio, XCB and ALSA libraries from the system, so it does not start on a
 * server that lacks them; the libraries used here need nothing beyond glibc and libstdc++.
 *
 * <p>Native memory (contexts, packets, frames) is owned by the reader and freed by {@link #close()}.
 * Blocking network reads are abandoned through FFmpeg's interrupt callback when {@link #interrupt()} is
 * called or when one read has waited longer than the stall timeout.
 */
final class LibavVideoReader implements VideoReader {
    /** libavcodec's FF_THREAD_SLICE (avcodec.h), which the preset does not map. */
    private static final int FF_THREAD_SLICE = 2;

    private static final Map<Long, LibavVideoReader> OPEN = new ConcurrentHashMap<>();
    private static LogRing log;
    private static Interrupts interrupts;

    private final String input;
    private final VideoOptions options;
    private final Instant start; // null: live, capture time = wall clock
    private final BytePointer key = new BytePointer(1); // its address identifies this reader to the callback
    private final long logMark;

    private AVFormatContext fmt;
    private AVCodecContext decoder;
    private AVCodecContext encoder;
    private SwsContext sws;
    private AVPacket packet;
    private AVPacket jpeg;
    private AVFrame decoded;
    private AVFrame yuv;
    private int stream = -1;
    private double timeBase;
    private double frameDuration;

    private volatile boolean interrupted;
    private volatile boolean stalled;
    private volatile long readingSince; // System.nanoTime() when the current read began, 0 when not reading
    private boolean closed;
    private boolean draining;
    private boolean ended;
    private long index;
    private double firstTime = Double.NaN;
    private double lastTime = Double.NaN;
    private long lastBucket = Long.MIN_VALUE;
    private long corruptPackets;
    private String endReason;

    private LibavVideoReader(String input, VideoOptions options, Instant start) {
        this.input = input;
        this.options = options;
        this.start = start;
        this.logMark = log.mark();
    }

    static VideoReader open(String input, VideoOptions options, Instant start) throws IOException {
        loadLibraries();
        LibavVideoReader reader = new LibavVideoReader(input, options, start);
        try {
            reader.openInput();
            return reader;
        } catch (IOException | RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    /** Loads the bundled libraries once, with FFmpeg's log kept in a ring instead of printed. */
    static synchronized void loadLibraries() throws IOException {
        if (log != null) return;
        try {
            Loader.load(avutil.class);
            Loader.load(avcodec.class);
            Loader.load(avformat.class);
            Loader.load(swscale.class);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new IOException(
                    "the bundled FFmpeg libraries (org.bytedeco:ffmpeg) do not load on this platform ("
                            + Loader.getPlatform() + "): " + e.getMessage()
                            + "; give an ffmpeg program with --ffmpeg PATH (or skypack.ffmpeg) instead",
                    e);
        }
        LogRing ring = new LogRing();
        avutil.setLogCallback(ring);
        avutil.av_log_set_level(avutil.AV_LOG_WARNING);
        avformat.avformat_network_init();
        interrupts = new Interrupts();
        log = ring;
    }

    private void openInput() throws IOException {
        fmt = avformat.avformat_alloc_context();
        fmt.interrupt_callback().callback(interrupts);
        fmt.interrupt_callback().opaque(key);
        OPEN.put(key.address(), this);
        AVInputFormat format =
                options.format().isPresent() ? inputFormat(options.format().get()) : null;
        AVDictionary settings = new AVDictionary(null);
        try {
            options.inputOptions().forEach((k, v) -> avutil.av_dict_set(settings, k, v, 0));
            readingSince = System.nanoTime();
            int r = avformat.avformat_open_input(fmt, input, format, settings);
            readingSince = 0;
            if (r < 0) throw failure("cannot open", r);
            AVDictionaryEntry unused = avutil.av_dict_get(settings, "", null, avutil.AV_DICT_IGNORE_SUFFIX);
            if (unused != null) {
                throw new IllegalArgumentException("'" + unused.key().getString() + "' is not an FFmpeg option for "
                        + input + " (input options are those of its protocol and format)");
            }
        } finally {
            avutil.av_dict_free(settings);
        }
        readingSince = System.nanoTime();
        int r = avformat.avformat_find_stream_info(fmt, (PointerPointer<?>) null);
        readingSince = 0;
        if (r < 0) throw failure("cannot read the streams of", r);
        stream = avformat.av_find_best_stream(fmt, avutil.AVMEDIA_TYPE_VIDEO, -1, -1, (AVCodec) null, 0);
        if (stream < 0) throw new IOException(input + ": no video stream" + logTail());
        AVStream st = fmt.streams(stream);
        timeBase = avutil.av_q2d(st.time_base());
        AVRational rate = avformat.av_guess_frame_rate(fmt, st, null);
        frameDuration = rate.num() > 0 && rate.den() > 0 ? rate.den() / (double) rate.num() : 1 / 30.0;
        AVCodecParameters par = st.codecpar();
        AVCodec codec = avcodec.avcodec_find_decoder(par.codec_id());
        if (codec == null) {
            throw new IOException(input + ": no decoder for its video codec "
                    + avcodec.avcodec_get_name(par.codec_id()).getString());
        }
        decoder = avcodec.avcodec_alloc_context3(codec);
        avcodec.avcodec_parameters_to_context(decoder, par);
        decoder.thread_count(0); // as many as FFmpeg sees fit
        if (start == null) { // live: frame threads would hold frames back; slices do not
            decoder.thread_type(FF_THREAD_SLICE);
            decoder.flags(decoder.flags() | avcodec.AV_CODEC_FLAG_LOW_DELAY);
        }
        r = avcodec.avcodec_open2(decoder, codec, (AVDictionary) null);
        if (r < 0) throw failure("cannot start the decoder for", r);
        packet = avcodec.av_packet_alloc();
        jpeg = avcodec.av_packet_alloc();
        decoded = avutil.av_frame_alloc();
        yuv = avutil.av_frame_alloc();
    }

    /** A demuxer, or a capture device (v4l2, x11grab, ...), which needs libavdevice and its system libraries. */
    private static AVInputFormat inputFormat(String name) throws IOException {
        AVInputFormat f = avformat.av_find_input_format(name);
        if (f != null) return f;
        try {
            Loader.load(avdevice.class);
            avdevice.avdevice_register_all();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new IOException(
                    "input format '" + name + "' is not a demuxer of the bundled FFmpeg, and its devices need "
                            + "libpulse0, libxcb1 and libasound2 from the system (" + e.getMessage()
                            + "); install them or give an ffmpeg program with --ffmpeg PATH",
                    e);
        }
        f = avformat.av_find_input_format(name);
        if (f == null) throw new IOException("FFmpeg has no input format or device '" + name + "'");
        return f;
    }

    @Override
    public VideoFrame next() throws IOException {
        if (closed) throw new IllegalStateException("reader of " + input + " is closed");
        while (!ended && !interrupted) {
            int r = avcodec.avcodec_receive_frame(decoder, decoded);
            if (r == 0) {
                try {
                    if (keep(decoded)) return encode(decoded);
                } finally {
                    avutil.av_frame_unref(decoded);
                }
                continue;
            }
            if (r == avutil.AVERROR_EOF()) {
                ended = true;
                break;
            }
            if (r != avutil.AVERROR_EAGAIN()) throw failure("cannot decode", r);
            if (draining) { // the decoder wants input after being told there is none: nothing more comes
                ended = true;
                break;
            }
            readingSince = System.nanoTime();
            r = avformat.av_read_frame(fmt, packet);
            readingSince = 0;
            if (r < 0) {
                if (interrupted) break;
                // A read error after the input opened ends it, as in the ffmpeg program (without -xerror): a
                // live feed that drops or goes silent, a file with a damaged tail. The reason is kept.
                if (r != avutil.AVERROR_EOF())
                    endReason = failure("cannot read", r).getMessage();
                avcodec.avcodec_send_packet(decoder, null); // drain the frames the decoder still holds
                draining = true;
                continue;
            }
            try {
                if (packet.stream_index() == stream) {
                    r = avcodec.avcodec_send_packet(decoder, packet);
                    if (r == avutil.AVERROR_INVALIDDATA()) corruptPackets++; // a damaged packet: go on
                    else if (r < 0) throw failure("cannot decode", r);
                }
            } finally {
                avcodec.av_packet_unref(packet);
            }
        }
        return null;
    }

    /** Sets the frame's time (seconds after the first frame) and applies {@link VideoOptions#maxFps()}. */
    private boolean keep(AVFrame frame) {
        long ts = frame.best_effort_timestamp();
        if (ts == avutil.AV_NOPTS_VALUE) ts = frame.pts();
        double t = ts != avutil.AV_NOPTS_VALUE ? ts * timeBase : Double.isNaN(lastTime) ? 0 : lastTime + frameDuration;
        lastTime = t;
        if (Double.isNaN(firstTime)) firstTime = t;
        if (options.maxFps() > 0) {
            // One frame per 1/maxFps bucket of video time; "different bucket" rather than "later bucket", so a
            // timestamp jump backwards (a restarted live source) does not stall the output.
            long bucket = (long) Math.floor((t - firstTime) * options.maxFps());
            if (bucket == lastBucket) return false;
            lastBucket = bucket;
        }
        return true;
    }

    private VideoFrame encode(AVFrame frame) throws IOException {
        int w = frame.width(), h = frame.height();
        if (encoder == null || encoder.width() != w || encoder.height() != h) openEncoder(w, h);
        // Full-range BT.601 4:2:0, what JFIF decoders assume; libswscale converts the range and matrix from the
        // decoded frame's own properties, and reconfigures itself when they change mid-stream.
        avutil.av_frame_unref(yuv);
        yuv.format(avutil.AV_PIX_FMT_YUV420P);
        yuv.color_range(avutil.AVCOL_RANGE_JPEG);
        yuv.colorspace(avutil.AVCOL_SPC_BT470BG);
        yuv.width(w);
        yuv.height(h);
        if (sws == null) {
            sws = swscale.sws_alloc_context();
            sws.flags(swscale.SWS_BILINEAR);
        }
        int r = swscale.sws_scale_frame(sws, yuv, frame);
        if (r < 0) {
            throw failure(
                    "cannot convert pixel format "
                            + avutil.av_get_pix_fmt_name(frame.format()).getString() + " of",
                    r);
        }
        yuv.pts(index);
        yuv.quality(encoder.global_quality());
        r = avcodec.avcodec_send_frame(encoder, yuv);
        if (r < 0) throw failure("cannot encode JPEG for", r);
        r = avcodec.avcodec_receive_packet(encoder, jpeg);
        if (r < 0) throw failure("cannot encode JPEG for", r);
        try {
            if (jpeg.size() > options.maxFrameBytes()) {
                throw new IOException(input + ": a JPEG frame of " + jpeg.size() + " bytes, over the limit of "
                        + options.maxFrameBytes());
            }
            byte[] bytes = new byte[jpeg.size()];
            jpeg.data().capacity(bytes.length).get(bytes);
            Instant capture = start == null
                    ? Instant.now()
                    : start.plus(Duration.ofNanos(Math.round((lastTime - firstTime) * 1e9)));
            return new VideoFrame(index++, capture, w, h, bytes);
        } finally {
            avcodec.av_packet_unref(jpeg);
        }
    }

    private void openEncoder(int w, int h) throws IOException {
        if (encoder != null) avcodec.avcodec_free_context(encoder);
        AVCodec mjpeg = avcodec.avcodec_find_encoder(avcodec.AV_CODEC_ID_MJPEG);
        encoder = avcodec.avcodec_alloc_context3(mjpeg);
        encoder.width(w);
        encoder.height(h);
        encoder.pix_fmt(avutil.AV_PIX_FMT_YUV420P);
        encoder.color_range(avutil.AVCOL_RANGE_JPEG); // full range: plain JPEG, not the deprecated yuvj formats
        encoder.colorspace(avutil.AVCOL_SPC_BT470BG);
        encoder.time_base(avutil.av_make_q(1, 1000));
        encoder.flags(encoder.flags() | avcodec.AV_CODEC_FLAG_QSCALE); // fixed quantiser, as ffmpeg -q:v
        encoder.global_quality(options.jpegQuality() * avutil.FF_QP2LAMBDA);
        int r = avcodec.avcodec_open2(encoder, mjpeg, (AVDictionary) null);
        if (r < 0) throw failure("cannot start the JPEG encoder for", r);
    }

    @Override
    public Optional<String> endReason() {
        return Optional.ofNullable(endReason);
    }

    /** Decoding errors FFmpeg recovered from (damaged packets skipped). */
    long corruptPackets() {
        return corruptPackets;
    }

    @Override
    public void interrupt() {
        interrupted = true;
    }

    /** Called by FFmpeg while it blocks in I/O: 1 abandons the operation. */
    private boolean shouldAbort() {
        if (interrupted) return true;
        long since = readingSince;
        if (since != 0 && System.nanoTime() - since > options.stallTimeout().toNanos()) {
            stalled = true;
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        interrupted = true;
        OPEN.remove(key.address());
        if (packet != null) avcodec.av_packet_free(packet);
        if (jpeg != null) avcodec.av_packet_free(jpeg);
        if (decoded != null) avutil.av_frame_free(decoded);
        if (yuv != null) avutil.av_frame_free(yuv);
        if (decoder != null) avcodec.avcodec_free_context(decoder);
        if (encoder != null) avcodec.avcodec_free_context(encoder);
        if (sws != null) swscale.sws_free_context(sws);
        if (fmt != null && !fmt.isNull()) avformat.avformat_close_input(fmt);
        key.close();
    }

    private IOException failure(String what, int code) {
        if (stalled) {
            return new IOException(
                    input + ": nothing received for " + options.stallTimeout().toMillis() + " ms" + logTail());
        }
        byte[] text = new byte[256];
        avutil.av_strerror(code, text, text.length);
        int n = 0;
        while (n < text.length && text[n] != 0) n++;
        return new IOException(what + " " + input + ": " + new String(text, 0, n) + logTail());
    }

    /** FFmpeg's warnings and errors since this reader opened, the last few, for error messages. */
    private String logTail() {
        List<String> lines = log.since(logMark, 8);
        return lines.isEmpty() ? "" : " (ffmpeg: " + String.join(" | ", lines) + ")";
    }

    /** The one interrupt callback (JavaCPP callbacks are few and global); finds the reader by its key. */
    private static final class Interrupts extends AVIOInterruptCB.Callback_Pointer {
        @Override
        public int call(Pointer opaque) {
            LibavVideoReader reader = opaque == null ? null : OPEN.get(opaque.address());
            return reader != null && reader.shouldAbort() ? 1 : 0;
        }
    }

    /** FFmpeg's log (warnings and errors), the last lines kept, nothing printed. */
    private static final class LogRing extends LogCallback {
        private static final int KEEP = 64;
        private final Deque<String> lines = new ArrayDeque<>();
        private long count;

        @Override
        public void call(int level, BytePointer message) {
            if (level > avutil.AV_LOG_WARNING || message == null) return;
            String line = message.getString().strip();
            // libswscale's note on yuvj input (what JPEG decoders output) is about its API, not the video.
            if (line.isEmpty() || line.contains("deprecated pixel format used")) return;
            synchronized (this) {
                lines.addLast(line);
                count++;
                if (lines.size() > KEEP) lines.removeFirst();
            }
        }

        synchronized long mark() {
            return count;
        }

        synchronized List<String> since(long mark, int max) {
            int n = (int) Math.min(Math.min(count - mark, lines.size()), max);
            List<String> all = new ArrayList<>(lines);
            return all.subList(all.size() - n, all.size());
        }
    }
}
