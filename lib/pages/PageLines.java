package lib.pages;

import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;

import java.io.PrintWriter;

/**
 * procinfo's page lines ("PFN=0x... PAGEMAP FLAGS / KPAGEFLAGS" or "SWAP=type: 0xoffset"), written with a
 * reused builder; flag names are cached (few distinct combinations).
 */
public final class PageLines {

    /** stdout was closed by its reader. */
    public static final class OutputClosed extends RuntimeException {
    }

    private final PrintWriter out;
    private final boolean hasFlags;
    private final StringBuilder sb = new StringBuilder(256);
    private final String[] pagemapNames = new String[32];
    private final Long2ObjectOpenHashMap<String> flagNames = new Long2ObjectOpenHashMap<>();
    private long pages;

    public PageLines(PrintWriter out, boolean hasFlags) {
        this.out = out;
        this.hasFlags = hasFlags;
    }

    public void line(String s) {
        out.write(s);
        out.write('\n');
    }

    /** One page's line; throws OutputClosed once the reader of the output went away. */
    public void page(long vaddr, long entry, long flags, long count) {
        // a reader that went away (| head) ends the dump instead of formatting millions of lines for nothing
        if ((++pages & 0x3fff) == 0 && out.checkError()) throw new OutputClosed();
        sb.setLength(0);
        if (PageMap.present(entry)) {
            sb.append("PFN=0x");
            hex(sb, PageMap.pfn(entry), 10);
            sb.append(' ').append(pagemapNames(entry)).append(" / ");
            if (!hasFlags || !KPageFlags.known(flags)) {
                sb.append('?');
            } else {
                String n = flagNames.get(flags);
                if (n == null) {
                    n = KPageFlags.names(flags);
                    flagNames.put(flags, n);
                }
                sb.append(n);
            }
        } else {
            sb.append("SWAP=").append(PageMap.swapType(entry)).append(": 0x");
            hex(sb, PageMap.swapOffset(entry), 1);
        }
        sb.append('\n');
        out.append(sb);
    }

    private String pagemapNames(long entry) {
        int key = (int) (entry >>> 59 & 0x1c) | (PageMap.exclusive(entry) ? 2 : 0) | (PageMap.softDirty(entry) ? 1 : 0);
        String s = pagemapNames[key];
        if (s == null) {
            s = PageMap.flagNames(entry);
            pagemapNames[key] = s;
        }
        return s;
    }

    private static void hex(StringBuilder sb, long v, int minDigits) {
        String h = Long.toHexString(v);
        for (int i = h.length(); i < minDigits; i++) sb.append('0');
        sb.append(h);
    }
}
