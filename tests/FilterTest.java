import lib.groups.Filter;
import lib.proc.ProcessInfo;
import lib.groups.ProcessTree;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class FilterTest {
    // a small process tree: 1 -> 10 -> 11, 1 -> 20
    static final ProcessInfo INIT = new ProcessInfo(1, 0, 0, "systemd", List.of("/sbin/init"), Map.of(), false);
    static final ProcessInfo ORA = new ProcessInfo(10, 1, 1001, "ora_pmon_DB1", List.of("ora_pmon_DB1"),
            Map.of("ORACLE_SID", "DB1", "HOME", "/home/oracle"), false);
    static final ProcessInfo CHILD = new ProcessInfo(11, 10, 1001, "oracle", List.of("oracleDB1"),
            Map.of("ORACLE_SID", "DB1"), false);
    static final ProcessInfo BASH = new ProcessInfo(20, 1, 0, "bash", List.of("-bash"), Map.of("SHELL", "/bin/bash"), false);
    static final List<ProcessInfo> ALL = List.of(INIT, ORA, CHILD, BASH);
    static final ProcessTree TREE = new ProcessTree(ALL);

    static List<Integer> matching(String filter) {
        Filter f = Filter.parse(filter);
        return ALL.stream().filter(p -> f.test(p, TREE)).map(ProcessInfo::pid).toList();
    }

    @Test
    void everyOperator() {
        assertEquals(List.of(1, 10, 11, 20), matching("true()"));
        assertEquals(List.of(), matching("false()"));
        assertEquals(List.of(10, 11), matching("uid(1001)"));
        assertEquals(List.of(20), matching("pid(20)"));
        assertEquals(List.of(10, 11), matching("descendants(10)"));
        assertEquals(List.of(1, 10, 11, 20), matching("descendants(1)"));
        assertEquals(List.of(20), matching("comm(bash)"));
        assertEquals(List.of(10), matching("comm(ora_pmon_DB1)"));
        assertEquals(List.of(10, 11), matching("env_k(ORACLE_SID)"));
        assertEquals(List.of(10), matching("env_kv(HOME,/home/oracle)"));
        assertEquals(List.of(11), matching("and(uid(1001),not(comm(ora_pmon_DB1)))"));
        assertEquals(List.of(1, 20), matching("or(uid(0),false())"));
        assertEquals(List.of(1, 10, 11), matching("not(comm(bash))"));
    }

    @Test
    void nestingAndSpaces() {
        assertEquals(List.of(1, 11), matching(" or( and( uid(0) , not(env_k(SHELL)) ), pid( 11 ) ) "));
        assertEquals(List.of(11), matching("and(and(and(uid(1001))),not(not(pid(11))))"));
    }

    @Test
    void quotedArguments() {
        ProcessInfo odd = new ProcessInfo(5, 1, 0, "a,b)c", List.of("x"), Map.of("K", "v,1"), false);
        assertTrue(Filter.parse("comm(\"a,b)c\")").test(odd, TREE));
        assertTrue(Filter.parse("env_kv(K,\"v,1\")").test(odd, TREE));
    }

    @Test
    void listOfFiltersKeepsTheirText() {
        List<Filter.Named> l = Filter.parseList("comm(sshd), and(uid(0),not(comm(bash))) ,uid(1001)");
        assertEquals(List.of("comm(sshd)", "and(uid(0),not(comm(bash)))", "uid(1001)"),
                l.stream().map(Filter.Named::text).toList());
    }

    static void assertError(String text, String fragment, int column) {
        Filter.ParseException e = assertThrows(Filter.ParseException.class, () -> Filter.parse(text), text);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(e.getMessage().endsWith("at column " + column), e.getMessage());
    }

    @Test
    void errorsSayWhatAndWhere() {
        assertError("uid", "expected '(' after 'uid'", 4);
        assertError("uid(", "'uid' needs a number", 5);
        assertError("uid(abc)", "'uid' needs a number", 5);
        assertError("uid(1", "expected ')' to close 'uid(' opened at column 4", 6);
        assertError("bogus(1)", "unknown filter 'bogus'", 1);
        assertError("and()", "'and' needs at least one filter", 5);
        assertError("and(uid(1),)", "expected a filter", 12);
        assertError("not(uid(1),uid(2))", "expected ')'", 11);
        assertError("comm()", "'comm' needs an argument", 6);
        assertError("env_kv(A)", "expected ','", 9);
        assertError("true() x", "unexpected 'x' after the filter", 8);
        assertError("", "expected a filter, found the end", 1);
        assertError("comm(\"abc)", "unterminated quote", 6);
        assertError("pid(99999999999)", "number too large", 5);
        Filter.ParseException e = assertThrows(Filter.ParseException.class, () -> Filter.parseList("uid(1) uid(2)"));
        assertEquals(8, e.column());
    }

    static String nested(int depth) {
        return "not(".repeat(depth - 1) + "uid(0)" + ")".repeat(depth - 1);
    }

    /** A filter nested 3,000 deep overflowed the parser's stack: now one error, at the filter past the limit. */
    @Test
    void nestingIsBoundedAt64() {
        assertEquals(List.of(1, 20), matching("or(" + nested(63) + ")"), "64 deep is allowed (62 not() cancel out)");
        assertError(nested(65), "filters nested more than 64 deep", 64 * 4 + 1);
        Filter.ParseException e = assertThrows(Filter.ParseException.class, () -> Filter.parse(nested(3000)));
        assertTrue(e.getMessage().contains("nested more than 64 deep"), e.getMessage());
        assertTrue(e.getMessage().length() < 200, "the text is cut in the message: " + e.getMessage().length());
        assertThrows(Filter.ParseException.class, () -> Filter.parseList("uid(0)," + nested(3000)));
        // siblings are no nesting: a long and() is fine
        assertEquals(List.of(1, 20), matching("or(" + "uid(0),".repeat(5000) + "false())"));
    }
}
