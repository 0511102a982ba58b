package lib.cli;

import java.util.List;

/** The help topics the tools share ("memstats help filters"). */
public final class Topics {
    private Topics() {
    }

    /** The filter language of -f/--filter and -c/--split-custom (lib Filter parses it). */
    public static final Help.Topic FILTERS = new Help.Topic("filters", "the filter language of -f and -c", """
            Filters choose processes (-f/--filter EXPR) and form groups (-c/--split-custom F1,F2,...).
            A filter is a name and its arguments in parentheses; the parentheses are always needed.

              true()              every process
              false()             no process
              uid(N)              processes of effective uid N               e.g. uid(0)
              pid(N)              the process N                              e.g. pid(1)
              descendants(PID)    the process PID and every process below it e.g. descendants(1)
              comm(NAME)          processes named NAME (/proc/PID/comm, the kernel keeps 15 characters)
                                                                             e.g. comm(postgres)
              env_k(KEY)          processes whose environment has KEY        e.g. env_k(ORACLE_SID)
              env_kv(KEY,VALUE)   processes whose KEY is VALUE               e.g. env_kv(ORACLE_SID,ORCL)
              ppid(N)             processes whose parent is N                e.g. ppid(1)
              user(NAME)          processes of effective user NAME (unnamed: the uid's number)
                                                                             e.g. user(postgres)
              exe(PATH)           processes running the program PATH (the /proc/PID/exe link)
                                                                             e.g. exe(/usr/bin/python3)
              cgroup(PREFIX)      processes in cgroup PREFIX or below it (the v2 path, or the v1 memory
                                  controller's; /proc/PID/cgroup)            e.g. cgroup(/system.slice)
              and(F,...)          all of the filters                         e.g. and(uid(0),comm(bash))
              or(F,...)           any of the filters                         e.g. or(comm(postgres),comm(postmaster))
              not(F)              the processes F does not choose            e.g. not(uid(0))

            An argument may be double-quoted to hold ',' '(' or ')'; inside quotes \\" is a quote and \\\\ a backslash:
              comm("my,prog")
            Spaces around names and arguments are ignored. Quote the whole expression for the shell:
              memstats -f 'not(uid(0))' single
            -c takes a comma-separated list: each filter is a group, named by its text; a process joins the first
            group whose filter it matches; processes matching none form the group Other:
              memstats groups -c 'comm(postgres),comm(java)'
            """);

    /** The unit convention of every tool. */
    public static final Help.Topic UNITS = new Help.Topic("units", "how sizes are shown (--units, --bytes)", """
            Sizes are binary, as the kernel (/proc/meminfo's "kB" is 1024 bytes) and free(1) count:
              1 KiB = 1024 bytes, 1 MiB = 1024 KiB, 1 GiB = 1024 MiB, 1 TiB = 1024 GiB.
            --units auto (text default): each size in the largest unit that keeps it at least 1, three digits:
              0 B, 512 B, 4.00 KiB, 12.3 MiB, 123 GiB
            --units k: whole KiB; --units m, g or t: two decimals (25275.95 MiB). A size that is not zero but
              rounds to zero shows as <1 KiB or <0.01 MiB: a 0 always means nothing.
            --units b or --bytes (tsv and csv default): whole bytes, digits only, for scripts.
            A size that is not known shows "-". Rounding is half up.
            """);

    public static final List<Help.Topic> ALL = List.of(FILTERS, UNITS);
}
