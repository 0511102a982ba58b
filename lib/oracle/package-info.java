/**
 * Oracle instances: found from their pmon processes (OracleInstance), queried through their own
 * sqlplus as their owner with privileges dropped (Sqlplus), or described from the OS alone
 * (InstanceFigures).
 * <p>May use: lib.proc, lib.text.
 */
package lib.oracle;
