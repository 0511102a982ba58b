import lib.text.Bytes;
import lib.text.Bytes.Unit;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one unit system: IEC binary units, how each --units choice rounds, and sizes typed by users. */
class BytesTest {
    static final long K = 1024, M = K * K, G = M * K;

    @Test
    void autoPicksTheLargestUnitWithThreeDigits() {
        Bytes b = Bytes.AUTO;
        assertEquals("0 B", b.format(0));
        assertEquals("1 B", b.format(1));
        assertEquals("1023 B", b.format(1023));
        assertEquals("1.00 KiB", b.format(K));
        assertEquals("1.50 KiB", b.format(1536));
        assertEquals("10.0 KiB", b.format(10 * K));
        assertEquals("1023 KiB", b.format(1023 * K));
        assertEquals("4.00 KiB", b.format(4096));
        // 25275.95 decimal MB, as the old tables printed it
        assertEquals("23.5 GiB", b.format(25_275_950_000L));
        assertEquals("8.00 EiB", b.format(Long.MAX_VALUE));
        assertEquals("-", b.format(-1));
    }

    @Test
    void autoRoundsHalfUpOnTheExactValueAndMovesUpAtTheUnitBoundary() {
        // 1152 bytes = 1.125 KiB exactly: half up gives 1.13 (half even would give 1.12)
        assertEquals("1.13 KiB", Bytes.AUTO.format(1152));
        // 10236 bytes = 9.996 KiB: rounds to 10.00, shown with three digits
        assertEquals("10.0 KiB", Bytes.AUTO.format(10236));
        // 99.96 KiB rounds to 100
        assertEquals("100 KiB", Bytes.AUTO.format(102_359));
        // one byte short of a MiB is 1023.999 KiB: rounds to 1024 KiB, shown as 1.00 MiB
        assertEquals("1.00 MiB", Bytes.AUTO.format(M - 1));
        assertEquals("1.00 GiB", Bytes.AUTO.format(G - K));
    }

    @Test
    void fixedUnitsKeepTheirDecimalsAndNeverShowNonZeroAsZero() {
        Bytes m = Bytes.in(Unit.M), k = Bytes.in(Unit.K), g = Bytes.in(Unit.G);
        assertEquals("0 MiB", m.format(0));
        assertEquals("<0.01 MiB", m.format(4096));
        assertEquals("<0.01 MiB", m.format(5 * K));   // 0.0049 MiB
        assertEquals("0.01 MiB", m.format(6 * K));    // 0.0059 MiB
        assertEquals("1.00 MiB", m.format(M));
        assertEquals("24105.02 MiB", m.format(25_275_950_000L));
        assertEquals("4 KiB", k.format(4096));
        assertEquals("1 KiB", k.format(512));
        assertEquals("<1 KiB", k.format(511));
        assertEquals("0 KiB", k.format(0));
        assertEquals("1.50 GiB", g.format(G + G / 2));
        assertEquals("-", g.format(-5));
    }

    @Test
    void aChangeCarriesItsSign() {
        assertEquals("+1.50 MiB", Bytes.AUTO.signed(3L << 19));
        assertEquals("-4.00 KiB", Bytes.AUTO.signed(-4096));
        assertEquals("0 B", Bytes.AUTO.signed(0));
        assertEquals("-4096", Bytes.EXACT.signed(-4096));
    }

    @Test
    void bytesAreDigitsOnly() {
        assertEquals("0", Bytes.EXACT.format(0));
        assertEquals("1048576", Bytes.EXACT.format(M));
        assertTrue(Bytes.EXACT.exact());
        assertEquals("12.0 KiB", Bytes.AUTO.pages(3, 4096));
        assertEquals("-", Bytes.AUTO.pages(-1, 4096));
    }

    @Test
    void unitsAndSizesTypedByUsers() {
        assertEquals(Unit.M, Unit.parse("m"));
        assertEquals(Unit.M, Unit.parse("MiB"));
        assertEquals(Unit.AUTO, Unit.parse("auto"));
        assertEquals(Unit.B, Unit.parse("b"));
        assertThrows(IllegalArgumentException.class, () -> Unit.parse("mb2"));
        assertEquals(512 * M, Bytes.parse("512M", Unit.M));
        assertEquals(512 * M, Bytes.parse("512", Unit.M));
        assertEquals(3 * G / 2, Bytes.parse("1.5G", Unit.M));
        assertEquals(3 * G / 2, Bytes.parse("1.5 GiB", Unit.M));
        assertEquals(K, Bytes.parse("1k", Unit.M));
        assertEquals(K, Bytes.parse("1kB", Unit.M));
        assertEquals(4096, Bytes.parse("4096B", Unit.M));
        for (String bad : new String[]{"", ".", "1.", "1..2", "10x", "-5M", "M", "1.2.3G"}) {
            assertThrows(IllegalArgumentException.class, () -> Bytes.parse(bad, Unit.M), bad);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Bytes.parse("99999999T", Unit.M));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
    }
}
