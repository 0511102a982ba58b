//DEPS de.vandermeer:asciitable:0.3.2
/**
 * Text in and out, knowing nothing of memory: the JSON reader and writer (depth-limited), box-drawn tables (Table, and TextTable, which fits
 * a terminal), Columns (one description per table for every format), CSV, the Prometheus text
 * format, sizes in IEC units (Bytes) and durations (Units), the progress line of a scan, and Text, which
 * escapes other users' control characters.
 * <p>May use: the JDK and asciitable only. Used by every other package.
 */
package lib.text;
