package lib.proc;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * libc through JNA, the one way the tools load it. JNA's first library otherwise runs `/sbin/ldconfig -p`
 * (a process, ~0.2 s of a tool's start on a busy box) to learn folders only other libraries are looked up
 * in; libc is in the process already, so dlopen finds it by name (jna.platform.library.path set empty
 * unless the user set it).
 */
public final class Jna {
    static {
        if (System.getProperty("jna.platform.library.path") == null) System.setProperty("jna.platform.library.path", "");
    }

    private Jna() {
    }

    /** libc's functions as the interface declares them (Native.load). */
    public static <T extends Library> T libc(Class<T> type) {
        return Native.load("c", type);
    }

    /** libc for JNA's direct mapping (Native.register). */
    public static NativeLibrary libc() {
        return NativeLibrary.getInstance("c");
    }
}
