/**
 * Oracle instances: found from their pmon processes (OracleInstance), queried through their own
 * sqlplus as their owner with privileges dropped (Sqlplus; lib.proc.TrustedPath checks that nobody
 * else could have chosen the program), or described from the OS alone (InstanceFigures).
 * <p>May use: lib.proc, lib.text.
 */
package lib.oracle;
