package lib.text;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * The one way sizes are shown: IEC binary units (KiB = 1024 bytes, MiB, GiB, TiB), as the kernel's
 * meminfo ("kB" meaning 1024 bytes) and free(1) -h count. A negative size means unknown and shows "-".
 * <ul>
 * <li>auto: the largest unit that keeps the number at least 1, three significant digits
 * ("0 B", "512 B", "4.00 KiB", "12.3 MiB", "123 GiB", "1023 MiB"); a value that rounds to 1024 moves up a unit.</li>
 * <li>k: whole KiB ("4 KiB"); m, g, t: two decimals ("25275.95 MiB"). A size that is not zero but rounds to zero
 * shows "<1 KiB" or "<0.01 MiB", so a zero always means nothing.</li>
 * <li>b: whole bytes, digits only ("1048576"), for scripts.</li>
 * </ul>
 * Rounding is half up on the exact value (no binary floating point).
 */
public final class Bytes {
    /** A unit choice of --units. */
    public enum Unit {
        B(0, "B"), K(1, "KiB"), M(2, "MiB"), G(3, "GiB"), T(4, "TiB"), AUTO(-1, null);

        final int power;
        final String symbol;

        Unit(int power, String symbol) {
            this.power = power;
            this.symbol = symbol;
        }

        /** "b", "k", "m", "g", "t" or "auto"; also the symbols ("MiB") and the first letter in capitals. */
        public static Unit parse(String s) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            return switch (t) {
                case "b", "byte", "bytes" -> B;
                case "k", "kib" -> K;
                case "m", "mib" -> M;
                case "g", "gib" -> G;
                case "t", "tib" -> T;
                case "auto" -> AUTO;
                default -> throw new IllegalArgumentException("unknown unit '" + s + "' (use b, k, m, g, t or auto)");
            };
        }
    }

    private static final String[] SYMBOLS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    /** Human sizes (the default of text output). */
    public static final Bytes AUTO = new Bytes(Unit.AUTO);
    /** Whole bytes (the default of machine formats: tsv, csv). */
    public static final Bytes EXACT = new Bytes(Unit.B);

    private final Unit unit;

    private Bytes(Unit unit) {
        this.unit = unit;
    }

    public static Bytes in(Unit unit) {
        return switch (unit) {
            case AUTO -> AUTO;
            case B -> EXACT;
            default -> new Bytes(unit);
        };
    }

    public Unit unit() {
        return unit;
    }

    /** Whether sizes are digits only (b): machine formats then need no parsing of units. */
    public boolean exact() {
        return unit == Unit.B;
    }

    /** The size as this unit system shows it; "-" when negative (unknown). */
    public String format(long bytes) {
        if (bytes < 0) return "-";
        return switch (unit) {
            case B -> Long.toString(bytes);
            case AUTO -> auto(bytes);
            case K -> fixed(bytes, 1, 0);
            default -> fixed(bytes, unit.power, 2);
        };
    }

    /** A change in size: "+1.50 MiB", "-4.00 KiB", or zero as format shows it. */
    public String signed(long bytes) {
        return bytes > 0 ? "+" + format(bytes) : bytes < 0 ? "-" + format(-bytes) : format(0);
    }

    /** A count of pages of pageSize bytes. */
    public String pages(long pages, long pageSize) {
        return pages < 0 ? "-" : format(Math.multiplyExact(pages, pageSize));
    }

    private static String fixed(long bytes, int power, int decimals) {
        String symbol = SYMBOLS[power];
        if (bytes == 0) return "0 " + symbol;
        BigDecimal v = scaled(bytes, power).setScale(decimals, RoundingMode.HALF_UP);
        if (v.signum() == 0) return "<" + BigDecimal.ONE.movePointLeft(decimals).toPlainString() + " " + symbol;
        return v.toPlainString() + " " + symbol;
    }

    private static String auto(long bytes) {
        if (bytes < 1024) return bytes + " B";
        int power = 1;
        while (power < SYMBOLS.length - 1 && bytes >= 1L << (10 * (power + 1))) power++;
        BigDecimal v = rounded(scaled(bytes, power));
        // 1023.6 MiB rounds to 1024: show 1.00 GiB instead
        if (v.compareTo(BigDecimal.valueOf(1024)) >= 0 && power < SYMBOLS.length - 1) {
            power++;
            v = rounded(scaled(bytes, power));
        }
        return v.toPlainString() + " " + SYMBOLS[power];
    }

    /** Three significant digits (at least the units): 1.23, 12.3, 123, 1023. */
    private static BigDecimal rounded(BigDecimal v) {
        int decimals = v.compareTo(BigDecimal.TEN) < 0 ? 2 : v.compareTo(BigDecimal.valueOf(100)) < 0 ? 1 : 0;
        BigDecimal r = v.setScale(decimals, RoundingMode.HALF_UP);
        // 9.996 rounds to 10.00: keep three digits (10.0)
        if (decimals > 0 && r.compareTo(BigDecimal.TEN.pow(3 - decimals)) >= 0) r = v.setScale(decimals - 1, RoundingMode.HALF_UP);
        return r;
    }

    /** bytes / 1024^power, exact: dividing by a power of two always terminates in decimal. */
    private static BigDecimal scaled(long bytes, int power) {
        return new BigDecimal(bytes).divide(new BigDecimal(1L << (10 * power)));
    }

    /**
     * A size typed by a user: digits with an optional fraction and unit (K, KiB, M, MiB, G, GiB, T, TiB, B; case does not
     * matter, "k" alone and "kB" also mean 1024), or digits alone in defaultUnit. "1.5G", "512M", "512".
     * Throws IllegalArgumentException with one line for anything else, and for sizes beyond a long.
     */
    public static long parse(String text, Unit defaultUnit) {
        String s = text.trim();
        int i = 0;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) i++;
        String number = s.substring(0, i), suffix = s.substring(i).trim().toLowerCase(Locale.ROOT);
        if (number.isEmpty() || number.chars().filter(c -> c == '.').count() > 1 || number.endsWith(".")) {
            throw new IllegalArgumentException("not a size: '" + text + "' (e.g. 512M, 1.5G, 4096B)");
        }
        Unit u;
        if (suffix.isEmpty()) u = defaultUnit;
        else if (suffix.equals("kb")) u = Unit.K;
        else {
            try {
                u = Unit.parse(suffix);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a size: '" + text + "' (units: B, K, M, G, T, binary: 1K = 1024 bytes)");
            }
            if (u == Unit.AUTO) throw new IllegalArgumentException("not a size: '" + text + "'");
        }
        if (u == Unit.AUTO) throw new IllegalArgumentException("a size needs a unit: '" + text + "' (e.g. 512M)");
        BigDecimal v = new BigDecimal(number).multiply(new BigDecimal(1L << (10 * u.power)));
        try {
            return v.setScale(0, RoundingMode.HALF_UP).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("size too large: '" + text + "'");
        }
    }
}
