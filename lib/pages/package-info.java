/**
 * Pages and frames: one reader of u64 arrays (U64File) under pagemap, kpageflags and kpagecount, one
 * walk of a process pagemap over its mappings (MappingWalk), page sets and their arithmetic (PageSet,
 * PageUnion), page classes, and what processes and SysV segments hold (ProcessPages, MappingPages,
 * SysvShmFrames, SysvShmPages).
 * <p>May use: lib.proc, lib.text.
 */
package lib.pages;
