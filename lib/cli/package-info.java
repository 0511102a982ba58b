//DEPS info.picocli:picocli:4.7.6
/**
 * The command-line frame shared by the seven tools: the shared options (Options: picocli mixins), the
 * root check, opening --procfs-root, and one exit-code mapping with one error style (Cli: 2 usage,
 * 1 failure, 130/143 signals, one line on stderr, a trace only with --debug); files written whole
 * (OutputFile streams with a signal-safe temporary file, AtomicFile replaces with bytes in hand);
 * help, version, terminal, unit and table options.
 * <p>May use: every other lib package; nothing in lib uses it.
 */
package lib.cli;
