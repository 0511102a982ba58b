package lib.picture;

import lib.pages.RamFrames;
import lib.proc.Iomem;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.util.List;

/**
 * A picture of physical memory: the RAM frames of /proc/iomem, concatenated in address order (holes
 * skipped), laid along a Hilbert curve. When RAM has more frames than the square has pixels, each
 * pixel summarises a block of consecutive curve positions. Frames are painted as they stream in,
 * so memory is the image (one byte per pixel, an indexed palette), never one entry per frame.
 * <p>
 * Each frame has a colour key (a page class, a group...) and is in use or not (mapped by a
 * process): a pixel takes the colour of the key most of its frames have, from dim to bright by
 * the share of its frames in use.
 */
public final class FramePicture {
    /** Brightness steps from dim to bright. */
    public static final int LEVELS = 8;
    public static final int LEGEND_WIDTH = 420;
    private static final int BACKGROUND = 0, PANEL = 1, TEXT = 2, FIXED = 3;
    private static final int[] FIXED_RGB = {0x000000, 0x14161a, 0xe8e8e8};
    private static final int LINE = 14, PAD = 8;

    /** Where RAM lies along the curve and how many frames each pixel summarises. */
    public record Layout(long[] firstPfn, long[] endPfn, long frames, int side, long framesPerPixel) {

        /** RAM ranges (inclusive byte addresses) as whole frames; the square is at most maxSide (a power of two). */
        public static Layout of(List<Iomem.Range> ram, long pageSize, int maxSide) {
            if (!Hilbert.isPowerOfTwo(maxSide)) throw new IllegalArgumentException("image side " + maxSide + " is not a power of two");
            RamFrames frames = RamFrames.of(ram, pageSize);
            if (frames.frames() == 0) throw new IllegalArgumentException("no RAM frames in the ranges given");
            long maxPixels = (long) maxSide * maxSide;
            int side = frames.frames() <= maxPixels ? Hilbert.sideFor(frames.frames()) : maxSide;
            long perPixel = (frames.frames() + maxPixels - 1) / maxPixels;
            return new Layout(frames.firstPfn(), frames.endPfn(), frames.frames(), side, Math.max(1, perPixel));
        }

        /** The RAM frames laid along the curve. */
        public RamFrames ram() {
            return new RamFrames(firstPfn, endPfn, frames);
        }

        public int ranges() {
            return firstPfn.length;
        }

        /** Pixels the curve actually covers (the rest of the square is background). */
        public long pixels() {
            return (frames + framesPerPixel - 1) / framesPerPixel;
        }

        /** Curve position of a frame, -1 when it is not RAM. */
        public long position(long pfn) {
            long pos = 0;
            for (int i = 0; i < firstPfn.length; i++) {
                if (pfn >= firstPfn[i] && pfn < endPfn[i]) return pos + pfn - firstPfn[i];
                pos += endPfn[i] - firstPfn[i];
            }
            return -1;
        }

        /** Pixel (packed as Hilbert.point) showing a frame; the frame must be RAM. */
        public long pixelOf(long pfn) {
            long pos = position(pfn);
            if (pos < 0) throw new IllegalArgumentException("frame 0x" + Long.toHexString(pfn) + " is not RAM");
            return Hilbert.point(side, pos / framesPerPixel);
        }
    }

    /** The colour of each key at full brightness and dim. */
    public record Palette(int[] brightRgb, int[] dimRgb) {
        public Palette {
            if (brightRgb.length != dimRgb.length) throw new IllegalArgumentException("bright and dim colours differ in number");
            if (FIXED + brightRgb.length * LEVELS > 256) throw new IllegalArgumentException("too many colours for one palette: " + brightRgb.length);
        }

        public int keys() {
            return brightRgb.length;
        }

        /** The colour of a key at a brightness level (0 dim .. LEVELS-1 bright). */
        public int rgb(int key, int level) {
            int b = brightRgb[key], d = dimRgb[key];
            int r = mix(d >> 16 & 0xff, b >> 16 & 0xff, level), g = mix(d >> 8 & 0xff, b >> 8 & 0xff, level),
                    bl = mix(d & 0xff, b & 0xff, level);
            return r << 16 | g << 8 | bl;
        }

        private static int mix(int dim, int bright, int level) {
            return dim + Math.round((bright - dim) * level / (float) (LEVELS - 1));
        }

        static int index(int key, int level) {
            return FIXED + key * LEVELS + level;
        }

        IndexColorModel colorModel() {
            int n = FIXED + keys() * LEVELS;
            // GIF colour tables come in powers of two: a full table is kept as is, never re-quantised
            byte[] r = new byte[256], g = new byte[256], b = new byte[256];
            for (int i = 0; i < n; i++) {
                int rgb = i < FIXED ? FIXED_RGB[i] : rgb((i - FIXED) / LEVELS, (i - FIXED) % LEVELS);
                r[i] = (byte) (rgb >> 16);
                g[i] = (byte) (rgb >> 8);
                b[i] = (byte) rgb;
            }
            return new IndexColorModel(8, 256, r, g, b);
        }
    }

    /** A legend line: a colour swatch (rgb, or -1 for none) and its text. */
    public record LegendLine(int rgb, String text) {
    }

    private final Layout layout;
    private final Palette palette;
    private final byte[] square;

    public FramePicture(Layout layout, Palette palette) {
        this.layout = layout;
        this.palette = palette;
        this.square = new byte[layout.side() * layout.side()];
    }

    public Layout layout() {
        return layout;
    }

    public Palette palette() {
        return palette;
    }

    /**
     * Paints consecutive curve positions from a pixel boundary on. Painters of disjoint stretches
     * may run in parallel (each pixel is written by one painter).
     */
    public Painter painter(long firstPosition) {
        if (firstPosition % layout.framesPerPixel() != 0) throw new IllegalArgumentException("a painter starts on a pixel boundary");
        return new Painter(firstPosition / layout.framesPerPixel());
    }

    public final class Painter {
        private final int[] frames = new int[palette.keys()];
        private final int[] inUse = new int[palette.keys()];
        private long pixel;
        private long inPixel;

        private Painter(long pixel) {
            this.pixel = pixel;
        }

        /** The next frame along the curve: its colour key, and whether a process maps it. */
        public void add(int key, boolean used) {
            frames[key]++;
            if (used) inUse[key]++;
            if (++inPixel == layout.framesPerPixel()) flush();
        }

        /** Paints a last, partly filled pixel. */
        public void finish() {
            if (inPixel > 0) flush();
        }

        private void flush() {
            int best = 0, total = 0, used = 0;
            for (int k = 0; k < frames.length; k++) {
                total += frames[k];
                used += inUse[k];
                // most frames wins; on a tie the key with more frames in use, then the later key
                if (frames[k] > frames[best] || frames[k] == frames[best] && inUse[k] >= inUse[best]) best = k;
            }
            int level = Math.round((LEVELS - 1) * used / (float) total);
            long p = Hilbert.point(layout.side(), pixel);
            square[Hilbert.y(p) * layout.side() + Hilbert.x(p)] = (byte) Palette.index(best, level);
            java.util.Arrays.fill(frames, 0);
            java.util.Arrays.fill(inUse, 0);
            inPixel = 0;
            pixel++;
        }
    }

    /** True when this runtime can draw text (a minimal box may have no fonts at all). */
    public static boolean canDrawText() {
        try {
            BufferedImage probe = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_INDEXED);
            Graphics2D g = probe.createGraphics();
            g.setFont(new Font(Font.MONOSPACED, Font.PLAIN, 12));
            g.drawString("0", 0, 8);
            boolean ok = g.getFontMetrics().stringWidth("00") > 0;
            g.dispose();
            return ok;
        } catch (OutOfMemoryError | StackOverflowError e) {
            throw e;
        } catch (Throwable e) {
            // no fonts, no fontconfig, no libfreetype: the JDK reports each differently
            return false;
        }
    }

    /**
     * The image: the curve square at the top left and, when legend is not null, a panel to its
     * right with a colour swatch and a line of text per legend line.
     */
    public BufferedImage render(List<LegendLine> legend) {
        int side = layout.side();
        int width = side + (legend == null ? 0 : LEGEND_WIDTH);
        int height = legend == null ? side : Math.max(side, 2 * PAD + legend.size() * LINE);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED, palette.colorModel());
        byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        java.util.Arrays.fill(data, (byte) BACKGROUND);
        for (int y = 0; y < side; y++) System.arraycopy(square, y * side, data, y * width, side);
        if (legend != null) drawLegend(img, side, legend);
        return img;
    }

    private void drawLegend(BufferedImage img, int x0, List<LegendLine> legend) {
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_OFF);
            g.setColor(new Color(FIXED_RGB[PANEL]));
            g.fillRect(x0, 0, LEGEND_WIDTH, img.getHeight());
            g.setFont(new Font(Font.MONOSPACED, Font.PLAIN, 12));
            FontMetrics fm = g.getFontMetrics();
            int y = PAD;
            for (LegendLine line : legend) {
                int tx = x0 + PAD + LINE + 2;
                if (line.rgb() >= 0) {
                    g.setColor(new Color(line.rgb()));
                    g.fillRect(x0 + PAD, y + 2, LINE - 4, LINE - 4);
                }
                g.setColor(new Color(FIXED_RGB[TEXT]));
                g.drawString(fit(line.text(), fm, x0 + LEGEND_WIDTH - PAD - tx), tx, y + fm.getAscent() + (LINE - fm.getHeight()) / 2);
                y += LINE;
            }
        } finally {
            g.dispose();
        }
    }

    private static String fit(String text, FontMetrics fm, int width) {
        if (fm.stringWidth(text) <= width) return text;
        String s = text;
        while (!s.isEmpty() && fm.stringWidth(s + "..") > width) s = s.substring(0, s.length() - 1);
        return s + "..";
    }
}
