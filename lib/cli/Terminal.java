package lib.cli;

import com.sun.jna.Library;
import lib.proc.Jna;

import java.util.Locale;
import java.util.Map;

/**
 * What the tools know of the terminal: whether a stream is one (isatty) and how wide it is (COLUMNS, else the
 * TIOCGWINSZ ioctl). Nothing is executed (no stty or tput, which picocli's auto width would look up on PATH).
 */
public final class Terminal {
    private Terminal() {
    }

    public static final int STDOUT = 1, STDERR = 2;
    /** Width of output that is not a terminal: tables keep their full width. */
    public static final int UNLIMITED = lib.text.TextTable.UNLIMITED;

    private interface C extends Library {
        int isatty(int fd);

        int ioctl(int fd, long request, byte[] winsize);
    }

    private static volatile C libc;
    private static volatile boolean failed;

    private static C libc() {
        if (libc == null && !failed) {
            try {
                libc = Jna.libc(C.class);
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                failed = true;   // no JNA here: every stream counts as not a terminal
            }
        }
        return libc;
    }

    /** Whether the file descriptor is a terminal. */
    public static boolean isTty(int fd) {
        C c = libc();
        return c != null && c.isatty(fd) == 1;
    }

    /**
     * The width of the terminal on fd, or UNLIMITED when fd is not a terminal. A positive COLUMNS wins (a shell
     * sets it, and users set it to ask for a width); else the kernel's window size; else 80.
     */
    public static int width(int fd, Map<String, String> env) {
        if (!isTty(fd)) return UNLIMITED;
        int columns = columns(env.get("COLUMNS"));
        if (columns > 0) return columns;
        int w = windowColumns(fd);
        return w > 0 ? w : 80;
    }

    /** COLUMNS as a width, 0 when unset or not a sensible number. */
    static int columns(String value) {
        if (value == null) return 0;
        try {
            int n = Integer.parseInt(value.trim());
            return n > 0 && n <= 10_000 ? n : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** ws_col of struct winsize (four unsigned shorts: rows, cols, xpixel, ypixel), 0 when unknown. */
    static int windowColumns(int fd) {
        long request = tiocgwinsz();
        C c = libc();
        if (request == 0 || c == null) return 0;
        byte[] ws = new byte[8];
        try {
            if (c.ioctl(fd, request, ws) != 0) return 0;
        } catch (RuntimeException e) {
            return 0;
        }
        // native byte order: the ioctl fills the struct as this CPU stores shorts
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(ws).order(java.nio.ByteOrder.nativeOrder());
        return b.getShort(2) & 0xffff;
    }

    /** TIOCGWINSZ: 0x5413 in asm-generic/ioctls.h; powerpc encodes it as _IOR('t', 104, struct winsize). */
    private static long tiocgwinsz() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (arch.startsWith("ppc")) return 0x40087468L;
        if (arch.startsWith("mips") || arch.startsWith("sparc")) return 0;   // other numbers; COLUMNS or 80 there
        return 0x5413L;
    }
}
