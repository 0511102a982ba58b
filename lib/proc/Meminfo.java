package lib.proc;

import java.util.LinkedHashMap;
import java.util.Map;

/** /proc/meminfo: "Name: value [kB]". Values with kB are kept in bytes, bare counts (HugePages_*) as is. */
public record Meminfo(Map<String, Long> values) {

    public static Meminfo parse(String text) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) continue;
            String v = line.substring(colon + 1).trim();
            boolean kb = v.endsWith(" kB");
            if (kb) v = v.substring(0, v.length() - 3).trim();
            try {
                long n = Long.parseLong(v);
                m.put(line.substring(0, colon), kb ? n * 1024 : n);
            } catch (NumberFormatException ignored) {
                // not a number: not a field we model
            }
        }
        return new Meminfo(m);
    }

    /** A field's value (bytes for kB fields), or -1 when this kernel does not print it. */
    public long get(String name) {
        return values.getOrDefault(name, -1L);
    }

    public long memTotalBytes() {
        return get("MemTotal");
    }

    public long memAvailableBytes() {
        return get("MemAvailable");
    }

    public long hugePagesTotal() {
        return get("HugePages_Total");
    }

    public long hugePagesFree() {
        return get("HugePages_Free");
    }

    public long hugePagesRsvd() {
        return get("HugePages_Rsvd");
    }

    public long hugePagesSurp() {
        return get("HugePages_Surp");
    }

    /** Huge pages taken: faulted in (total - free) plus promised to mappings (reserved). */
    public long hugePagesInUse() {
        return hugePagesTotal() - hugePagesFree() + hugePagesRsvd();
    }

    public long hugepageSizeBytes() {
        return get("Hugepagesize");
    }
}
