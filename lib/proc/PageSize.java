package lib.proc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;

/** The base page size: from the kernel (KernelPageSize in smaps), never a constant. */
public final class PageSize {
    private PageSize() {
    }

    /** This machine's page size. */
    public static long live() throws IOException {
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/self/smaps"))) {
            return fromSmaps(r);
        }
    }

    /** KernelPageSize of the first process whose smaps shows one (a snapshot without a saved page size). */
    static long ofAnyProcess(ProcFs proc) throws IOException {
        for (int pid : proc.pids()) {
            if (proc.exists(pid, "smaps")) {
                long ps = fromSmaps(new BufferedReader(new StringReader(proc.readString(pid, "smaps"))));
                if (ps > 0) return ps;
            }
        }
        throw new IOException("cannot tell the page size of " + proc.description() + " (no metadata.json, no smaps)");
    }

    /** KernelPageSize of the mapping starting at this address in an smaps text (a hugetlb mapping's huge page size); -1 if absent. */
    public static long ofMapping(String smaps, long start) throws IOException {
        String head = String.format("%08x-", start);
        int at = smaps.startsWith(head) ? 0 : smaps.indexOf("\n" + head);
        if (at < 0) return -1;
        return fromSmaps(new BufferedReader(new StringReader(smaps.substring(at == 0 ? 0 : at + 1))));
    }

    private static long fromSmaps(BufferedReader r) throws IOException {
        String line;
        while ((line = r.readLine()) != null) {
            if (line.startsWith("KernelPageSize:")) {
                String v = line.substring("KernelPageSize:".length()).trim();
                return Long.parseLong(v.substring(0, v.indexOf(' '))) * 1024;
            }
        }
        return -1;
    }
}
