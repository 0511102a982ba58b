package lib.picture;

/**
 * The Hilbert curve over a side × side square (side a power of two): position d along the curve
 * to a point (x, y) and back. Consecutive positions are neighbours, so frames that are close in
 * physical memory stay close in the picture.
 */
public final class Hilbert {
    private Hilbert() {
    }

    public static boolean isPowerOfTwo(long n) {
        return n > 0 && (n & (n - 1)) == 0;
    }

    /** The smallest power-of-two side whose square holds n positions: 2^ceil(log2(n)/2). */
    public static int sideFor(long n) {
        int side = 1;
        while ((long) side * side < n) side <<= 1;
        return side;
    }

    /** The point at position d, packed as x << 32 | y (see x(), y()). */
    public static long point(int side, long d) {
        check(side);
        if (d < 0 || d >= (long) side * side) throw new IllegalArgumentException("position " + d + " outside a " + side + "x" + side + " curve");
        long x = 0, y = 0, t = d;
        for (long s = 1; s < side; s <<= 1) {
            long rx = 1 & (t >>> 1);
            long ry = 1 & (t ^ rx);
            long r = rotate(s, x, y, rx, ry);
            x = r >>> 32;
            y = r & 0xFFFFFFFFL;
            x += s * rx;
            y += s * ry;
            t >>>= 2;
        }
        return x << 32 | y;
    }

    public static int x(long point) {
        return (int) (point >>> 32);
    }

    public static int y(long point) {
        return (int) point;
    }

    /** The position of point (x, y). */
    public static long position(int side, int x, int y) {
        check(side);
        if (x < 0 || y < 0 || x >= side || y >= side) throw new IllegalArgumentException("point " + x + "," + y + " outside a " + side + "x" + side + " curve");
        long d = 0;
        long px = x, py = y;
        for (long s = side >>> 1; s > 0; s >>>= 1) {
            long rx = (px & s) > 0 ? 1 : 0;
            long ry = (py & s) > 0 ? 1 : 0;
            d += s * s * ((3 * rx) ^ ry);
            long r = rotate(side, px, py, rx, ry);
            px = r >>> 32;
            py = r & 0xFFFFFFFFL;
        }
        return d;
    }

    /** Rotates (x, y) within an n-sided quadrant so the sub-curve joins its neighbours; packed x << 32 | y. */
    private static long rotate(long n, long x, long y, long rx, long ry) {
        if (ry != 0) return x << 32 | y;
        if (rx == 1) {
            x = n - 1 - x;
            y = n - 1 - y;
        }
        return y << 32 | x;
    }

    private static void check(int side) {
        if (!isPowerOfTwo(side)) throw new IllegalArgumentException("Hilbert curve side " + side + " is not a power of two");
    }
}
