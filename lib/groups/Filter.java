package lib.groups;

import lib.proc.Cgroup;
import lib.proc.ProcessInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * The filter language: true() false() and(F,...) or(F,...) not(F) uid(N) pid(N) descendants(PID)
 * comm(NAME) env_k(KEY) env_kv(KEY,VALUE) cgroup(PREFIX) user(NAME) exe(PATH) ppid(N). Every filter needs its parentheses. Arguments may be
 * double-quoted to hold ',' or ')'. Filters nest at most {@link #MAX_DEPTH} deep.
 */
public sealed interface Filter {
    /** Deeper than any filter a person writes; the parser and test() recurse, so a bound keeps the stack small. */
    int MAX_DEPTH = 64;

    boolean test(ProcessInfo p, ProcessTree tree);

    /** A malformed filter: what is wrong and where (1-based column in the text given). */
    final class ParseException extends IllegalArgumentException {
        private final int column;

        public ParseException(String text, String what, int column) {
            super("malformed filter \"" + (text.length() > 80 ? text.substring(0, 76) + "..." : text) + "\": " + what
                    + " at column " + column);
            this.column = column;
        }

        public int column() {
            return column;
        }
    }

    record True() implements Filter {
        public boolean test(ProcessInfo p, ProcessTree t) {
            return true;
        }
    }

    record False() implements Filter {
        public boolean test(ProcessInfo p, ProcessTree t) {
            return false;
        }
    }

    record And(List<Filter> all) implements Filter {
        public boolean test(ProcessInfo p, ProcessTree t) {
            for (Filter f : all) if (!f.test(p, t)) return false;
            return true;
        }
    }

    record Or(List<Filter> any) implements Filter {
        public boolean test(ProcessInfo p, ProcessTree t) {
            for (Filter f : any) if (f.test(p, t)) return true;
            return false;
        }
    }

    record Not(Filter inner) implements Filter {
        public boolean test(ProcessInfo p, ProcessTree t) {
            return !inner.test(p, t);
        }
    }

    record Uid(int uid) implements Filter {
        public boolean test(ProcessInfo p, ProcessTree t) {
            return p.uid() == uid;
        }
    }

    record Pid(int pid) implements Filter {
        public boolean test(ProcessInfo p, ProcessTree t) {
            return p.pid() == pid;
        }
    }

    /** The process PID and every process below it. */
    record Descendants(int pid) implements Filter {
        public boolean test(ProcessInfo p, ProcessTree t) {
            return t.isDescendant(p.pid(), pid);
        }
    }

    record Comm(String name) implements Filter {
        public boolean test(ProcessInfo p, ProcessTree t) {
            return p.comm().equals(name);
        }
    }

    record EnvK(String key) implements Filter {
        public boolean test(ProcessInfo p, ProcessTree t) {
            return p.environ().containsKey(key);
        }
    }

    record EnvKv(String key, String value) implements Filter {
        public boolean test(ProcessInfo p, ProcessTree t) {
            return value.equals(p.environ().get(key));
        }
    }

    /** The process's cgroup (v2 path, or the v1 memory controller's) is PREFIX or below it. */
    record InCgroup(String prefix) implements Filter {
        public boolean test(ProcessInfo p, ProcessTree t) {
            Cgroup c = p.cgroup();
            return c != null && (Cgroup.isUnder(c.v2Path(), prefix) || Cgroup.isUnder(c.v1MemoryPath(), prefix));
        }
    }

    /** The effective user's name (from the passwd of the /proc read, a snapshot's own), or its uid when unnamed. */
    record User(String name) implements Filter {
        public boolean test(ProcessInfo p, ProcessTree t) {
            return name.equals(t.userName(p.uid()));
        }
    }

    /** The program run: the exe link is PATH (or "PATH (deleted)", a program replaced since it started). */
    record Exe(String path) implements Filter {
        public boolean test(ProcessInfo p, ProcessTree t) {
            String e = p.exe();
            return e != null && (e.equals(path) || e.equals(path + " (deleted)"));
        }
    }

    record Ppid(int ppid) implements Filter {
        public boolean test(ProcessInfo p, ProcessTree t) {
            return p.ppid() == ppid;
        }
    }

    /** Parses one filter expression. */
    static Filter parse(String text) {
        Parser p = new Parser(text);
        Filter f = p.filter();
        p.skipSpaces();
        if (!p.atEnd()) throw p.error("unexpected '" + p.peek() + "' after the filter");
        return f;
    }

    /** A filter with the text it was parsed from (a custom splitter's group name). */
    record Named(String text, Filter filter) {
    }

    /** Parses "F1,F2,...": top-level comma-separated filters. */
    static List<Named> parseList(String text) {
        Parser p = new Parser(text);
        List<Named> out = new ArrayList<>();
        do {
            p.skipSpaces();
            int from = p.pos;
            Filter f = p.filter();
            out.add(new Named(text.substring(from, p.pos).trim(), f));
            p.skipSpaces();
        } while (p.accept(','));
        if (!p.atEnd()) throw p.error("expected ',' between filters, found '" + p.peek() + "'");
        return out;
    }

    final class Parser {
        private final String text;
        private int pos;
        private int depth;

        Parser(String text) {
            this.text = text;
        }

        ParseException error(String what) {
            return new ParseException(text, what, pos + 1);
        }

        boolean atEnd() {
            return pos >= text.length();
        }

        char peek() {
            return text.charAt(pos);
        }

        void skipSpaces() {
            while (!atEnd() && Character.isWhitespace(peek())) pos++;
        }

        boolean accept(char c) {
            skipSpaces();
            if (!atEnd() && peek() == c) {
                pos++;
                return true;
            }
            return false;
        }

        void expect(char c, String context) {
            if (!accept(c)) {
                throw error("expected '" + c + "' " + context + (atEnd() ? ", found the end" : ", found '" + peek() + "'"));
            }
        }

        Filter filter() {
            skipSpaces();
            if (depth == MAX_DEPTH) throw error("filters nested more than " + MAX_DEPTH + " deep");
            depth++;
            int start = pos;
            while (!atEnd() && (Character.isLetterOrDigit(peek()) || peek() == '_')) pos++;
            String name = text.substring(start, pos);
            if (name.isEmpty()) {
                throw error(atEnd() ? "expected a filter, found the end" : "expected a filter name, found '" + peek() + "'");
            }
            int nameEnd = pos;
            expect('(', "after '" + name + "'");
            Filter f = switch (name) {
                case "true" -> new True();
                case "false" -> new False();
                case "and" -> new And(filters(name));
                case "or" -> new Or(filters(name));
                case "not" -> new Not(filter());
                case "uid" -> new Uid(number(name));
                case "pid" -> new Pid(number(name));
                case "descendants" -> new Descendants(number(name));
                case "comm" -> new Comm(word(name));
                case "env_k" -> new EnvK(word(name));
                case "cgroup" -> new InCgroup(word(name));
                case "user" -> new User(word(name));
                case "exe" -> new Exe(word(name));
                case "ppid" -> new Ppid(number(name));
                case "env_kv" -> {
                    String k = word(name);
                    expect(',', "between KEY and VALUE of env_kv");
                    yield new EnvKv(k, word(name));
                }
                default -> {
                    pos = start;
                    throw error("unknown filter '" + name + "' (known: true false and or not uid pid descendants comm env_k env_kv cgroup user exe ppid)");
                }
            };
            expect(')', "to close '" + name + "(' opened at column " + (nameEnd + 1));
            depth--;
            return f;
        }

        private List<Filter> filters(String name) {
            List<Filter> list = new ArrayList<>();
            skipSpaces();
            if (!atEnd() && peek() == ')') throw error("'" + name + "' needs at least one filter");
            do {
                list.add(filter());
            } while (accept(','));
            return list;
        }

        private int number(String name) {
            skipSpaces();
            int start = pos;
            while (!atEnd() && Character.isDigit(peek())) pos++;
            if (start == pos) throw error("'" + name + "' needs a number");
            try {
                return Integer.parseInt(text.substring(start, pos));
            } catch (NumberFormatException e) {
                pos = start;
                throw error("number too large in '" + name + "'");
            }
        }

        /** A bare word up to ',' or ')' (trimmed), or a "quoted" string. */
        private String word(String name) {
            skipSpaces();
            if (!atEnd() && peek() == '"') {
                int open = pos++;
                StringBuilder sb = new StringBuilder();
                while (!atEnd() && peek() != '"') {
                    if (peek() == '\\' && pos + 1 < text.length()) pos++;
                    sb.append(text.charAt(pos++));
                }
                if (atEnd()) {
                    pos = open;
                    throw error("unterminated quote");
                }
                pos++;
                return sb.toString();
            }
            int start = pos;
            while (!atEnd() && peek() != ',' && peek() != ')' && peek() != '(') pos++;
            String w = text.substring(start, pos).trim();
            if (w.isEmpty()) throw error("'" + name + "' needs an argument");
            if (!atEnd() && peek() == '(') throw error("unexpected '(' in the argument of '" + name + "' (quote it)");
            return w;
        }
    }
}
