/**
 * The snapshot format: a tar (ustar, PAX, GNU sparse 1.0) of /proc written by snap (SnapshotWriter,
 * TarWriter, SparseRegions; ArchiveFile puts it on disk whole or not at all) and read in place as a ProcFs (SnapshotArchive, TarReader, GzipInput
 * verifying the whole gzip stream); ProcRoot opens whatever --procfs-root names (live /proc,
 * extracted snapshot or archive).
 * <p>May use: lib.proc, lib.text.
 */
package lib.snapshot;
