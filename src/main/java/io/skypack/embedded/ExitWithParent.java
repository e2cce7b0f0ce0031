package io.skypack.embedded;

import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * Main class of a child JVM that must not outlive the JVM that started it: exits when the parent
 * process is gone (killed, crashed, a test fork timed out), then runs the real main class.
 *
 * <p>Usage: {@code java -cp <dir with this class>:<app.jar> io.skypack.embedded.ExitWithParent
 * <parent pid> <main class> [args...]}. Uses JDK classes only and has no nested classes, so its one
 * class file is all the child needs from SkyPack.
 */
public final class ExitWithParent {
    private ExitWithParent() {}

    public static void main(String[] args) throws Throwable {
        if (args.length < 2) {
            System.err.println("usage: ExitWithParent <parent pid> <main class> [args...]");
            System.exit(2);
        }
        long parent = Long.parseLong(args[0]);
        ProcessHandle.of(parent).ifPresentOrElse(p -> p.onExit().thenRun(() -> System.exit(0)), () -> System.exit(0));
        try {
            Class.forName(args[1]).getMethod("main", String[].class).invoke(null, (Object)
                    Arrays.copyOfRange(args, 2, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
