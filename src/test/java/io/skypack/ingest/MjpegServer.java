package io.skypack.ingest;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A camera on loopback: serves JPEG frames as multipart MJPEG over HTTP ({@code multipart/x-mixed-replace}, what
 * IP cameras send), paced at a frame rate, to each connection on 127.0.0.1, then ends the response.
 */
public final class MjpegServer implements Closeable {
    private static final String BOUNDARY = "skypackframe";
    private final ServerSocket server;
    private final List<byte[]> jpegs;
    private final long periodNanos;
    private final Thread thread;

    private MjpegServer(List<byte[]> jpegs, double fps) throws IOException {
        this.server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        this.jpegs = jpegs;
        this.periodNanos = Math.round(1e9 / fps);
        this.thread = new Thread(this::serve, "mjpeg-server");
        thread.setDaemon(true);
        thread.start();
    }

    public static MjpegServer start(List<byte[]> jpegs, double fps) throws IOException {
        return new MjpegServer(jpegs, fps);
    }

    /** {@code n} generated frames (see {@link TestVideos#frame}) as JPEG. */
    public static List<byte[]> jpegs(int n, int width, int height) {
        List<byte[]> out = new ArrayList<>();
        for (BufferedImage img : TestVideos.frames(n, width, height)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try {
                ImageIO.write(img, "jpg", bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.add(bytes.toByteArray());
        }
        return out;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/feed.mjpg";
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                readRequest(s.getInputStream());
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=" + BOUNDARY
                                + "\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                long t0 = System.nanoTime();
                for (int i = 0; i < jpegs.size(); i++) {
                    long wait = t0 + i * periodNanos - System.nanoTime();
                    if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    byte[] jpeg = jpegs.get(i);
                    out.write(("--" + BOUNDARY + "\r\nContent-Type: image/jpeg\r\nContent-Length: " + jpeg.length
                                    + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(jpeg);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                out.write(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // the client went away, or the server was closed
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void readRequest(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        int b;
        while (matched < 4 && (b = in.read()) >= 0) matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }

    @Override
    public void close() throws IOException {
        server.close();
        thread.interrupt();
    }
}
