package lib.text;

/**
 * Text from other users (comm, environment values, pathnames, a snapshot's contents) made safe for a
 * terminal: control characters are shown as visible escapes, so none of them reaches root's terminal.
 */
public final class Text {
    private Text() {
    }

    /**
     * C0 controls (also newline and tab: a cell or a line stays one line), DEL, C1 controls (U+0080..U+009F,
     * which some terminals take as ESC sequences, e.g. U+009B as CSI) and the bidirectional overrides and
     * isolates (which reorder what is shown) as \xHH or \\uHHHH; everything else as it is.
     */
    public static String visible(String s) {
        if (s == null) return null;
        int i = 0;
        while (i < s.length() && !escaped(s.charAt(i))) i++;
        if (i == s.length()) return s;
        StringBuilder sb = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!escaped(c)) sb.append(c);
            else if (c < 0x100) sb.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            else sb.append(String.format("\\u%04x", (int) c));
        }
        return sb.toString();
    }

    /** Whether visible() escapes this character. */
    public static boolean escaped(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    }
}
