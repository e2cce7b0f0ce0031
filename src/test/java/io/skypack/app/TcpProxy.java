package io.skypack.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder from a local port to a target, that a test opens and cuts: while cut, the port is
 * closed (connections are refused, as from a registry that is down) and every connection it was
 * carrying is closed too, so a client's kept-alive connection cannot slip past the outage. The target
 * keeps running, and keeps its state.
 */
final class TcpProxy implements AutoCloseable {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final InetSocketAddress target;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private ServerSocket server;
    private int connections;

    private TcpProxy(InetSocketAddress target, int port) {
        this.target = target;
        this.port = port;
    }

    /** A proxy to {@code targetPort} on the loopback address, on a free port of its own, cut. */
    static TcpProxy cut(int targetPort) throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 50, LOOPBACK)) {
            port = probe.getLocalPort();
        }
        return new TcpProxy(new InetSocketAddress(LOOPBACK, targetPort), port);
    }

    int port() {
        return port;
    }

    /** Connections accepted so far. */
    synchronized int connections() {
        return connections;
    }

    /** Starts forwarding (again), on the same port. */
    synchronized void open() throws IOException {
        if (server != null) return;
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(LOOPBACK, port));
        server = s;
        Thread acceptor = new Thread(() -> accept(s), "tcp-proxy-accept-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Stops forwarding: the port refuses connections and the open ones are closed. */
    synchronized void cut() {
        if (server != null) {
            closeQuietly(server);
            server = null;
        }
        for (Socket s : sockets) closeQuietly(s);
        sockets.clear();
    }

    @Override
    public void close() {
        cut();
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket client = s.accept();
                Socket upstream = new Socket();
                synchronized (this) {
                    if (server != s) { // cut meanwhile
                        closeQuietly(client);
                        return;
                    }
                    connections++;
                    sockets.add(client);
                    sockets.add(upstream);
                }
                upstream.connect(target, 5_000);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                // the server socket was closed (cut), or one connection failed: go on while open
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[16 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        for (int n; (n = in.read(buf)) >= 0; ) {
                            out.write(buf, 0, n);
                            out.flush();
                        }
                    } catch (IOException e) {
                        // closed by either side or by cut()
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                        sockets.remove(from);
                        sockets.remove(to);
                    }
                },
                "tcp-proxy-pump-" + port);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // already closed
        }
    }
}
