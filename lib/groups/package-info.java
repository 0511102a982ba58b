/**
 * The group engine: filters and splitters (sealed types parsed from the command line), the process
 * tree, the worker pool, and GroupScan, which reads each selected process once and counts RSS, USS
 * and mem_share per group by set arithmetic on frames.
 * <p>May use: lib.pages, lib.proc, lib.text.
 */
package lib.groups;
