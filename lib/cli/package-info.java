//DEPS info.picocli:picocli:4.7.6
/**
 * The command-line frame shared by the seven tools: the shared options (a picocli mixin), the root
 * check, opening --procfs-root, and one exit-code mapping with one error style (2 usage, 1 failure,
 * 130/143 signals, one line on stderr, a trace only with --debug).
 * <p>May use: every other lib package; nothing in lib uses it.
 */
package lib.cli;
