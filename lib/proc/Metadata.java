package lib.proc;

import lib.text.Json;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A snapshot's metadata.json, read once: what the machine it was taken on said of itself that /proc
 * does not keep (page size, user names, tmpfs sizes, the options snap ran with).
 *
 * @param pageSize the base page size, -1 when not saved
 * @param tmpfs tmpfs mounts largest first, null when not recorded
 */
public record Metadata(long pageSize, Map<Integer, String> users, List<Tmpfs.Mount> tmpfs, boolean shmPagemapSkipped) {

    /** No metadata.json (a live /proc, or a snapshot without one). */
    public static final Metadata NONE = new Metadata(-1, Map.of(), null, false);

    /** The metadata of a metadata.json text; NONE for null or a text that is not a JSON object. */
    public static Metadata parse(String json) {
        if (json == null || !(Json.parse(json) instanceof Map<?, ?> m)) return NONE;
        return new Metadata(pageSize(m), idMap(m.get("users")), tmpfs(m.get("tmpfs")),
                m.get("options") instanceof Map<?, ?> o && Boolean.TRUE.equals(o.get("skip_shm_pagemap")));
    }

    private static long pageSize(Map<?, ?> m) {
        if (m.get("page_size") instanceof Long l) return l;
        if (m.get("getconf") instanceof Map<?, ?> g && g.get("PAGESIZE") != null) {
            try {
                return Long.parseLong(g.get("PAGESIZE").toString().trim());
            } catch (NumberFormatException ignored) {
                // not saved: any process's smaps tells
            }
        }
        return -1;
    }

    private static Map<Integer, String> idMap(Object ids) {
        Map<Integer, String> m = new HashMap<>();
        if (ids instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                try {
                    m.put(Integer.parseInt(e.getKey().toString()), String.valueOf(e.getValue()));
                } catch (NumberFormatException ignored) {
                    // not an id
                }
            }
        }
        return m;
    }

    private static List<Tmpfs.Mount> tmpfs(Object list) {
        if (!(list instanceof List<?> l) || l.isEmpty()) return null;
        List<Tmpfs.Mount> out = new ArrayList<>();
        for (Object o : l) if (o instanceof Map<?, ?> m) out.add(Tmpfs.Mount.fromJson(m));
        out.sort(Comparator.comparingLong(Tmpfs.Mount::fsSizeBytes).reversed());
        return out;
    }
}
