///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

// not ASCII on purpose: LauncherTest compiles this without a locale (é, ✓)
/** LauncherTest's tool: the number of arguments that arrived, then each one's UTF-8 bytes in hex, one a line. */
public class printargs {
    public static void main(String[] args) {
        System.out.println(args.length);
        for (String a : args) System.out.println(HexFormat.of().formatHex(a.getBytes(StandardCharsets.UTF_8)));
    }
}
