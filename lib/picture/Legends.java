package lib.picture;

import lib.groups.GroupScan;
import lib.pages.PageClass;
import lib.text.Bytes;
import lib.text.TextTable;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The palettes of processes2png's pictures, and their legends: drawn in the image, and as a table and a summary line. */
public final class Legends {
    private Legends() {
    }

    /** Groups with a colour of their own; the smaller ones share the last. */
    public static final int GROUP_COLOURS = 12;
    static final int HEADER_LINES = 5;
    public static final int[] GROUP_RGB = {0xff3b30, 0x3a8cff, 0x33dd55, 0xffd21f, 0xc04cff, 0xff9a1a, 0x22e0d0, 0xff6fb5,
            0x9be03a, 0x8f7bff, 0xd9a066, 0x8c8c8c};

    /** One picture's worth of results: the image, its legend as a table, and one summary line. */
    public record Shot(BufferedImage image, TextTable table, String summary) {
    }

    /** Each page class its bright and dim colour. */
    public static FramePicture.Palette classPalette() {
        PageClass[] classes = PageClass.values();
        int[] bright = new int[classes.length], dim = new int[classes.length];
        for (PageClass c : classes) {
            bright[c.ordinal()] = c.brightRgb;
            dim[c.ordinal()] = c.dimRgb;
        }
        return new FramePicture.Palette(bright, dim);
    }

    /** The first groups a colour each, then shared, in no group and free frames. */
    public static FramePicture.Palette groupPalette(int groups) {
        int keys = FrameScan.ByGroup.FIRST_GROUP + groups;
        int[] bright = new int[keys], dim = new int[keys];
        bright[FrameScan.ByGroup.FREE] = dim[FrameScan.ByGroup.FREE] = PageClass.FREE.brightRgb;
        bright[FrameScan.ByGroup.NONE] = dim[FrameScan.ByGroup.NONE] = 0x4a4a4a;
        bright[FrameScan.ByGroup.SHARED] = 0xffffff;
        dim[FrameScan.ByGroup.SHARED] = 0x707070;
        for (int g = 0; g < groups; g++) {
            int rgb = GROUP_RGB[g];
            bright[FrameScan.ByGroup.FIRST_GROUP + g] = rgb;
            dim[FrameScan.ByGroup.FIRST_GROUP + g] = (rgb >> 16 & 0xff) * 2 / 5 << 16 | (rgb >> 8 & 0xff) * 2 / 5 << 8 | (rgb & 0xff) * 2 / 5;
        }
        return new FramePicture.Palette(bright, dim);
    }

    private static String share(long part, long whole) {
        return String.format(Locale.ROOT, "%.1f%%", whole == 0 ? 0.0 : 100.0 * part / whole);
    }

    private static String hex(int rgb) {
        return String.format("#%06x", rgb);
    }

    private static List<FramePicture.LegendLine> header(FramePicture.Layout layout, long pageSize, String scanned, String when,
                                                        Bytes units) {
        List<FramePicture.LegendLine> lines = new ArrayList<>();
        lines.add(new FramePicture.LegendLine(-1, "Physical memory, " + units.format(layout.frames() * pageSize) + " of RAM" + (when.isEmpty() ? "" : ", " + when)));
        lines.add(new FramePicture.LegendLine(-1, String.format(Locale.ROOT, "%d frames of %d KiB, %d per pixel", layout.frames(),
                pageSize / 1024, layout.framesPerPixel())));
        lines.add(new FramePicture.LegendLine(-1, "Hilbert curve from the top left, RAM in address order"));
        lines.add(new FramePicture.LegendLine(-1, "bright: mapped by the " + scanned + " read"));
        lines.add(new FramePicture.LegendLine(-1, ""));
        return lines;
    }

    /** The legend and table of a picture coloured by page class; scanned says what was read, when which frame of a GIF. */
    public static Shot classLegend(FramePicture picture, FrameScan.FrameCounts counts, long pageSize, String scanned, String when,
                                   boolean legendInImage, Bytes units) {
        FramePicture.Layout layout = picture.layout();
        List<FramePicture.LegendLine> lines = header(layout, pageSize, scanned, when, units);
        lines.add(new FramePicture.LegendLine(-1, String.format(Locale.ROOT, "%-17s %11s %6s %11s", "class", "size", "share", "mapped")));
        TextTable table = new TextTable(TextTable.Column.text("class"), TextTable.Column.label("colour"),
                TextTable.Column.label("dim"), TextTable.Column.bytes("size", true), TextTable.Column.label("share"),
                TextTable.Column.bytes("mapped", true));
        long total = counts.total();
        for (PageClass c : PageClass.values()) {
            long f = counts.frames()[c.ordinal()], used = counts.used()[c.ordinal()];
            String size = units.format(f * pageSize), mapped = units.format(used * pageSize);
            int rgb = picture.palette().rgb(c.ordinal(), FramePicture.LEVELS - 1);
            lines.add(new FramePicture.LegendLine(rgb, String.format(Locale.ROOT, "%-17s %11s %6s %11s", c.label, size, share(f, total), mapped)));
            table.row(c.label, hex(c.brightRgb), hex(c.dimRgb), f * pageSize, share(f, total), used * pageSize);
        }
        String summary = String.format(Locale.ROOT, "Physical memory%s: %s of RAM, %d frames of %d KiB, image %dx%d with %d frame%s per pixel; bright = mapped by the %s read",
                when.isEmpty() ? "" : " at " + when, units.format(total * pageSize), total, pageSize / 1024, layout.side(), layout.side(),
                layout.framesPerPixel(), layout.framesPerPixel() == 1 ? "" : "s", scanned);
        return new Shot(picture.render(legendInImage ? lines : null), table, summary);
    }

    /** The legend and table of a picture coloured by group: coloured are the groups with a colour, largest first. */
    public static Shot groupLegend(FramePicture picture, FrameScan.FrameCounts counts, long pageSize, String splitName,
                                   List<GroupScan.GroupStats> groups, List<GroupScan.GroupStats> coloured, String scanned,
                                   String when, boolean legendInImage, Bytes units) {
        FramePicture.Layout layout = picture.layout();
        List<FramePicture.LegendLine> lines = header(layout, pageSize, scanned, when, units);
        lines.add(new FramePicture.LegendLine(-1, "Groups: " + splitName));
        lines.add(new FramePicture.LegendLine(-1, String.format(Locale.ROOT, "%-20s %11s %11s", "group", "mem_rss", "mem_uss")));
        TextTable table = new TextTable(TextTable.Column.text("group_name"), TextTable.Column.label("colour"),
                TextTable.Column.count("procs", true), TextTable.Column.bytes("mem_rss", false), TextTable.Column.bytes("mem_uss", true),
                TextTable.Column.bytes("shm_mem", false), TextTable.Column.text("only_this_group"));
        // the biggest groups have a colour each; past GROUP_COLOURS the smallest share the last one
        boolean merged = coloured.size() > GROUP_COLOURS;
        int own = merged ? GROUP_COLOURS - 1 : coloured.size();
        Map<String, Integer> rank = new LinkedHashMap<>();
        for (int i = 0; i < coloured.size(); i++) rank.put(coloured.get(i).name(), i);
        for (GroupScan.GroupStats g : groups) {
            Integer i = rank.get(g.name());
            int key = i == null ? -1 : FrameScan.ByGroup.FIRST_GROUP + Math.min(i, GROUP_COLOURS - 1);
            int rgb = key < 0 ? -1 : picture.palette().rgb(key, FramePicture.LEVELS - 1);
            String only = key < 0 ? "-" : i < own ? units.format(counts.frames()[key] * pageSize) : "(smaller groups)";
            table.row(g.name(), key < 0 ? "-" : hex(rgb), g.procs(), g.memRss(), g.memUss(), g.shmMem(), only);
            if (i != null && i < own) {
                lines.add(new FramePicture.LegendLine(rgb, String.format(Locale.ROOT, "%-20s %11s %11s", g.name(),
                        units.format(g.memRss()), units.format(g.memUss()))));
            }
        }
        if (merged) {
            int key = FrameScan.ByGroup.FIRST_GROUP + GROUP_COLOURS - 1;
            lines.add(new FramePicture.LegendLine(picture.palette().rgb(key, FramePicture.LEVELS - 1), String.format(Locale.ROOT,
                    "%-20s %11s", (coloured.size() - own) + " smaller groups", units.format(counts.frames()[key] * pageSize))));
        }
        lines.add(new FramePicture.LegendLine(-1, ""));
        int[] extra = {FrameScan.ByGroup.SHARED, FrameScan.ByGroup.NONE, FrameScan.ByGroup.FREE};
        String[] names = {"shared by groups", "used, in no group", "free"};
        for (int i = 0; i < extra.length; i++) {
            long f = counts.frames()[extra[i]];
            int rgb = picture.palette().rgb(extra[i], FramePicture.LEVELS - 1);
            lines.add(new FramePicture.LegendLine(rgb, String.format(Locale.ROOT, "%-20s %11s", names[i], units.format(f * pageSize))));
            table.row("(" + names[i] + ")", hex(rgb), null, null, null, null, units.format(f * pageSize));
        }
        // a constant legend height: every frame of a GIF has the first one's size
        while (lines.size() < HEADER_LINES + 2 + GROUP_COLOURS + 4) {
            lines.add(new FramePicture.LegendLine(-1, ""));
        }
        String summary = String.format(Locale.ROOT, "Physical memory%s by %s: %s of RAM, image %dx%d with %d frame%s per pixel; %s read",
                when.isEmpty() ? "" : " at " + when, splitName, units.format(counts.total() * pageSize), layout.side(), layout.side(),
                layout.framesPerPixel(), layout.framesPerPixel() == 1 ? "" : "s", scanned);
        return new Shot(picture.render(legendInImage ? lines : null), table, summary);
    }
}
