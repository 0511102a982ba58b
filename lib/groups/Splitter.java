package lib.groups;

import lib.proc.Cgroup;
import lib.proc.ProcessInfo;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/** Puts every scanned process into exactly one named group. */
public sealed interface Splitter {
    String OTHER = "Other";
    String UNSET = "<unset>";
    String UNKNOWN = "<unknown>";

    /** The split's title and JSON name. */
    String name();

    String groupOf(ProcessInfo p, ProcessTree tree);

    /** Every process in one group "all" (memstats single). */
    record All() implements Splitter {
        public String name() {
            return "single";
        }

        public String groupOf(ProcessInfo p, ProcessTree tree) {
            return "all";
        }
    }

    /** By effective user: user name, or the number when unknown. */
    record ByUid(IntFunction<String> userName) implements Splitter {
        public String name() {
            return "UID";
        }

        public String groupOf(ProcessInfo p, ProcessTree tree) {
            String n = userName.apply(p.uid());
            return n != null ? n : Integer.toString(p.uid());
        }
    }

    /**
     * By cgroup: the path in the hierarchy asked for (AUTO: the memory controller's), a systemd unit by
     * its name; processes whose cgroup is unknown (a snapshot made without it) are "<unknown>".
     */
    record ByCgroup(Cgroup.Hierarchy hierarchy) implements Splitter {
        public String name() {
            return switch (hierarchy) {
                case AUTO -> "cgroup";
                case V1 -> "cgroup v1";
                case V2 -> "cgroup v2";
            };
        }

        public String groupOf(ProcessInfo p, ProcessTree tree) {
            String path = p.cgroup() == null ? null : p.cgroup().path(hierarchy);
            return path == null ? UNKNOWN : Cgroup.displayName(path);
        }
    }

    /** By process name (/proc/PID/comm), as ps_mem shows programs. */
    record ByComm() implements Splitter {
        public String name() {
            return "comm";
        }

        public String groupOf(ProcessInfo p, ProcessTree tree) {
            return p.comm();
        }
    }

    /** By the value of an environment variable; processes without it are "<unset>". */
    record ByEnv(String variable) implements Splitter {
        public String name() {
            return "environment variable " + variable;
        }

        public String groupOf(ProcessInfo p, ProcessTree tree) {
            String v = p.environ().get(variable);
            return v != null ? v : UNSET;
        }
    }

    /** The listed pids form one group, everything else "Other". */
    record ByPids(Set<Integer> pids) implements Splitter {
        public String name() {
            return "pids";
        }

        public String groupName() {
            return pids.stream().sorted().map(String::valueOf).collect(Collectors.joining(","));
        }

        public String groupOf(ProcessInfo p, ProcessTree tree) {
            return pids.contains(p.pid()) ? groupName() : OTHER;
        }
    }

    /** Each filter of a list is a group named by its text, first match wins, the rest is "Other". */
    record Custom(String text, List<Filter.Named> filters) implements Splitter {
        public static Custom parse(String text) {
            return new Custom(text, Filter.parseList(text));
        }

        public String name() {
            return text;
        }

        public String groupOf(ProcessInfo p, ProcessTree tree) {
            for (Filter.Named f : filters) {
                if (f.filter().test(p, tree)) return f.text();
            }
            return OTHER;
        }

        /** Group names known before any process is seen (shown even when empty). */
        public List<String> declaredGroups() {
            return filters.stream().map(Filter.Named::text).toList();
        }
    }
}
