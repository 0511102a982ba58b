package lib.pages;

/**
 * What a physical frame holds, from its /proc/kpageflags word. The first matching rule wins, in the
 * order of the constants (the kernel's fs/proc/page.c and tools/mm/page-types.c semantics):
 * <ol>
 * <li>RESERVED: KPF_RESERVED (bit 32, kernel image, firmware tables, memmap), NOPAGE (no struct
 *     page), HWPOISON or OFFLINE (ballooned out): not available to the allocator;</li>
 * <li>FREE: BUDDY (the kernel marks every frame of a free block, not only its head);</li>
 * <li>HUGETLB: HUGE, a hugetlbfs page (SHM_HUGETLB SysV segments, MAP_HUGETLB, the free pool);</li>
 * <li>SLAB, then PGTABLE;</li>
 * <li>THP: a transparent huge page of anonymous memory or shmem (THP with ANON or SWAPBACKED; recent
 *     kernels flag every large folio, so mTHP too). Large folios of the page cache (ext4, xfs) carry
 *     THP as well, but they are file pages to an administrator: they fall through to FILE;</li>
 * <li>ANON: anonymous memory (KSM pages are anonymous too);</li>
 * <li>SHMEM: SWAPBACKED without ANON. Swap-backed pages whose mapping is not anonymous are shmem
 *     folios: tmpfs and /dev/shm files, SysV segments, MAP_SHARED|MAP_ANONYMOUS, memfd (a swap cache
 *     page read ahead but not yet mapped by anyone looks the same, rarely);</li>
 * <li>FILE: page cache of a file or block device: on an LRU list, mapped, uptodate, dirty or under
 *     writeback, and none of the above;</li>
 * <li>KERNEL: everything else, mostly frames with no flag at all: kernel allocations (vmalloc,
 *     stacks, buffers, drivers) and, where the kernel initialises memory lazily, frames it has not
 *     handed to the allocator yet.</li>
 * </ol>
 * Colours: bright for frames mapped by a process, dim otherwise; classes a process cannot map have
 * one colour.
 */
public enum PageClass {
    RESERVED("reserved", 0x9a9a9a, 0x9a9a9a),
    FREE("free", 0x1c2833, 0x1c2833),
    HUGETLB("hugetlb", 0x33dd55, 0x145a22),
    SLAB("slab", 0xffd21f, 0xffd21f),
    PGTABLE("page tables", 0x22e0d0, 0x22e0d0),
    THP("transparent huge", 0xff9a1a, 0x66400c),
    ANON("anonymous", 0xff3b30, 0x661814),
    SHMEM("shmem / SysV", 0xc04cff, 0x4d1f66),
    FILE("page cache / file", 0x3a8cff, 0x173866),
    KERNEL("kernel / no flags", 0x5c5c5c, 0x5c5c5c);

    /** Flag bits the kernel exports beyond the documented 0..26 (include/linux/kernel-page-flags.h). */
    public static final int KPF_RESERVED = 32;

    private static final PageClass[] VALUES = values();
    private static final long RESERVED_MASK = bit(KPF_RESERVED) | bit(KPageFlags.NOPAGE) | bit(KPageFlags.HWPOISON)
            | bit(KPageFlags.OFFLINE);
    private static final long FILE_MASK = bit(KPageFlags.LRU) | bit(KPageFlags.MMAP) | bit(KPageFlags.UPTODATE)
            | bit(KPageFlags.DIRTY) | bit(KPageFlags.WRITEBACK);

    public final String label;
    public final int brightRgb;
    public final int dimRgb;

    PageClass(String label, int brightRgb, int dimRgb) {
        this.label = label;
        this.brightRgb = brightRgb;
        this.dimRgb = dimRgb;
    }

    private static long bit(int b) {
        return 1L << b;
    }

    public static PageClass of(long flags) {
        if ((flags & RESERVED_MASK) != 0) return RESERVED;
        if ((flags & bit(KPageFlags.BUDDY)) != 0) return FREE;
        if ((flags & bit(KPageFlags.HUGE)) != 0) return HUGETLB;
        if ((flags & bit(KPageFlags.SLAB)) != 0) return SLAB;
        if ((flags & bit(KPageFlags.PGTABLE)) != 0) return PGTABLE;
        if ((flags & bit(KPageFlags.THP)) != 0 && (flags & (bit(KPageFlags.ANON) | bit(KPageFlags.SWAPBACKED))) != 0) return THP;
        if ((flags & bit(KPageFlags.ANON)) != 0) return ANON;
        if ((flags & bit(KPageFlags.SWAPBACKED)) != 0) return SHMEM;
        if ((flags & FILE_MASK) != 0) return FILE;
        return KERNEL;
    }

    public static PageClass byOrdinal(int ordinal) {
        return VALUES[ordinal];
    }
}
