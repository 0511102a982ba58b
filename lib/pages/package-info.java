//DEPS it.unimi.dsi:fastutil-core:8.5.15
//DEPS org.roaringbitmap:RoaringBitmap:1.3.0
/**
 * Pages and frames: one reader of u64 arrays (U64Reader) under pagemap, kpageflags and kpagecount, one
 * walk of a process pagemap over its mappings (PagemapWalker: it reads only the parts the file's
 * presentParts names, see lib.proc.PagemapScan), page sets and their arithmetic (PageSet, PageUnion,
 * PageShares for mem_share), page classes, and what processes and SysV segments hold (ProcessPages,
 * MappingPages, SysvShmFrames, SysvShmPages) and procinfo's page lines.
 * <p>May use: lib.proc, lib.text.
 */
package lib.pages;
