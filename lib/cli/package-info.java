//DEPS info.picocli:picocli:4.7.6
/**
 * The command-line frame shared by the seven tools: the shared options (Options: picocli mixins), the
 * root check, opening --procfs-root, and one exit-code mapping with one error style (Cli: 2 usage,
 * 1 failure, 130/143 signals, one line on stderr, a trace only with --debug); files written whole
 * (OutputFile: a signal-safe temporary file renamed when complete, synced first for bytes in hand);
 * memstats' run of one source (GroupRun), its tables in every format (GroupTables, one Columns description
 * each), its Prometheus metrics (GroupMetrics) and its tmpfs file table (TmpfsFileTable); help on every
 * command with its topics (Help, Topics),
 * --version with the commit (Version), man pages and completion (Docs), table and unit options, and
 * what the terminal is (Terminal: isatty, its width; nothing executed).
 * <p>May use: every other lib package; nothing in lib uses it.
 */
package lib.cli;
