package lib.picture;

import lib.groups.Workers;
import lib.pages.KPageFlags;
import lib.pages.PageClass;
import lib.pages.PageSet;
import lib.pages.RamFrames;
import lib.proc.ProcFs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads /proc/kpageflags over every RAM frame of a picture, in large chunks, and paints each frame
 * by a colouring (its page class, or the group of processes mapping it). Threads take disjoint
 * stretches of the curve, so the kernel's per-frame work runs in parallel and nothing is kept per
 * frame: memory is one chunk per thread.
 */
public final class FrameScan {
    private FrameScan() {
    }

    /** Gives each frame of a chunk its colour key and whether a process maps it. */
    public interface Colouring {
        int keys();

        /** Fills keys[0..n) and used[0..n) for the frames firstPfn.. with these flags. */
        void colour(long firstPfn, long[] flags, int n, int[] keys, boolean[] used);

        /** A fresh copy for one thread (set cursors move forward only). */
        Colouring copy();
    }

    /** Frames per key, and of them those in use. */
    public record FrameCounts(long[] frames, long[] used) {
        public long total() {
            long t = 0;
            for (long f : frames) t += f;
            return t;
        }
    }

    /** Colours every frame by its PageClass; mapped frames (e.g. every process's) are in use. */
    public static final class ByClass implements Colouring {
        private final PageSet mapped;
        private final PageSet.Cursor cursor;

        public ByClass(PageSet mapped) {
            this.mapped = mapped;
            this.cursor = mapped.cursor();
        }

        public int keys() {
            return PageClass.values().length;
        }

        public void colour(long firstPfn, long[] flags, int n, int[] keys, boolean[] used) {
            for (int i = 0; i < n; i++) {
                keys[i] = PageClass.of(flags[i]).ordinal();
                used[i] = false;
            }
            cursor.forEachIn(firstPfn, n, i -> used[i] = true);
        }

        public Colouring copy() {
            return new ByClass(mapped);
        }
    }

    /**
     * Colours frames by the group whose processes map them: FREE and NONE for frames of no group
     * (free or not), SHARED for frames of two groups or more, then one key per group.
     */
    public static final class ByGroup implements Colouring {
        public static final int FREE = 0, NONE = 1, SHARED = 2, FIRST_GROUP = 3;
        private final List<PageSet> groups;
        private final List<PageSet.Cursor> cursors = new ArrayList<>();

        public ByGroup(List<PageSet> groups) {
            this.groups = List.copyOf(groups);
            for (PageSet g : groups) cursors.add(g.cursor());
        }

        public int keys() {
            return FIRST_GROUP + groups.size();
        }

        public void colour(long firstPfn, long[] flags, int n, int[] keys, boolean[] used) {
            for (int i = 0; i < n; i++) {
                keys[i] = -1;
                used[i] = false;
            }
            for (int g = 0; g < cursors.size(); g++) {
                int key = FIRST_GROUP + g;
                cursors.get(g).forEachIn(firstPfn, n, i -> {
                    keys[i] = keys[i] == -1 || keys[i] == key ? key : SHARED;
                    used[i] = true;
                });
            }
            for (int i = 0; i < n; i++) {
                if (keys[i] == -1) keys[i] = PageClass.of(flags[i]) == PageClass.FREE ? FREE : NONE;
            }
        }

        public Colouring copy() {
            return new ByGroup(groups);
        }
    }

    /** Streams the flags of every RAM frame of the picture's layout and paints them; threads at least 1. */
    public static FrameCounts run(ProcFs proc, FramePicture picture, Colouring colouring, int threads) throws IOException {
        FramePicture.Layout layout = picture.layout();
        long perPixel = layout.framesPerPixel();
        long pixels = layout.pixels();
        int parts = (int) Math.max(1, Math.min(threads, pixels));
        long pixelsPerPart = (pixels + parts - 1) / parts;
        int keys = colouring.keys();
        long[][] frames = new long[parts][keys], used = new long[parts][keys];
        Workers.run("frames", parts, parts, () -> part -> {
            long start = Math.min(layout.frames(), part * pixelsPerPart * perPixel);
            long end = Math.min(layout.frames(), (part + 1) * pixelsPerPart * perPixel);
            // a stretch past the last frame (the square's empty tail) has nothing to paint; its start, cut to the
            // frame count, need not be on a pixel boundary
            if (start == end) return;
            try (KPageFlags kpf = KPageFlags.open(proc)) {
                paint(kpf, picture, colouring.copy(), start, end, frames[part], used[part]);
            }
        });
        long[] totalFrames = new long[keys], totalUsed = new long[keys];
        for (int t = 0; t < parts; t++) {
            for (int k = 0; k < keys; k++) {
                totalFrames[k] += frames[t][k];
                totalUsed[k] += used[t][k];
            }
        }
        return new FrameCounts(totalFrames, totalUsed);
    }

    /** Paints curve positions [start, end): the RAM ranges they cover, chunk by chunk. */
    private static void paint(KPageFlags kpf, FramePicture picture, Colouring colouring, long start, long end,
                              long[] frames, long[] used) throws IOException {
        FramePicture.Painter painter = picture.painter(start);
        int[] keys = new int[RamFrames.CHUNK];
        boolean[] inUse = new boolean[RamFrames.CHUNK];
        picture.layout().ram().read(kpf, start, end, (pfn, flags, n) -> {
            colouring.colour(pfn, flags, n, keys, inUse);
            for (int i = 0; i < n; i++) {
                painter.add(keys[i], inUse[i]);
                frames[keys[i]]++;
                if (inUse[i]) used[keys[i]]++;
            }
        });
        painter.finish();
    }
}
