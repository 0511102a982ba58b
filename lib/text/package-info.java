//DEPS de.vandermeer:asciitable:0.3.2
/**
 * Text in and out, knowing nothing of memory: the JSON reader and writer (depth-limited), box-drawn
 * tables, byte and duration units.
 * <p>May use: the JDK and asciitable only. Used by every other package.
 */
package lib.text;
