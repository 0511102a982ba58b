#!/bin/sh
# Test double of $ORACLE_HOME/bin/sqlplus. It stands in for a real Oracle instance, which cannot run on
# the test machines: it checks what a real "sqlplus -S -L / as sysdba" needs from the tools (started
# from the instance's home by its real path, as the instance owner with its groups, OS-authentication arguments, the
# instance's environment and nothing else, cwd /) and answers their queries with canned v$ rows from
# $ORACLE_HOME/canned/$ORACLE_SID/ (sga, process, large_pages; sql for any other query). A file
# "fail" there makes it fail to connect as sqlplus does (exit 1); "flood" holding the pid of the process
# that starts it makes it write without end; "hang" holding the pid of the
# process that starts it makes it hang with a child (their pids go to hung.pids).
fail() { echo "ERROR: sqlplus test double: $*"; exit 3; }
dir="$ORACLE_HOME/canned/$ORACLE_SID"
[ -n "$ORACLE_SID" ] && [ -d "$dir" ] || fail "no canned answers for ORACLE_SID=$ORACLE_SID in ORACLE_HOME=$ORACLE_HOME"
[ "$0" = "$(readlink -f "$ORACLE_HOME/bin/sqlplus")" ] || fail "started as $0, not as the real path of \$ORACLE_HOME/bin/sqlplus"
[ ! -f "$dir/home" ] || [ "$ORACLE_HOME" = "$(cat "$dir/home")" ] || fail "ORACLE_HOME=$ORACLE_HOME, pmon's is $(cat "$dir/home")"
[ "$(id -u)" = "$(cat "$dir/uid")" ] || fail "runs as uid $(id -u), the instance owner is $(cat "$dir/uid")"
[ "$(id -g)" = "$(cat "$dir/gid")" ] || fail "runs as gid $(id -g), the instance's is $(cat "$dir/gid")"
groups=$(id -G | tr ' ' '\n' | sort -n | tr '\n' ' ')
[ "$groups" = "$(cat "$dir/groups")" ] || fail "groups $groups, the instance's are $(cat "$dir/groups")"
[ "$*" = "-S -L / as $(cat "$dir/role")" ] || fail "arguments '$*'"
[ "$LD_LIBRARY_PATH" = "$ORACLE_HOME/lib" ] || fail "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
[ "$(pwd)" = / ] || fail "working directory $(pwd)"
extra=$(env | cut -d= -f1 | grep -v -x -e ORACLE_HOME -e ORACLE_SID -e LD_LIBRARY_PATH -e PATH -e NLS_LANG \
    -e ORACLE_BASE -e TNS_ADMIN -e PWD | tr '\n' ' ')
[ -z "$extra" ] || fail "environment not clean: $extra"
if [ -f "$dir/fail" ]; then
    printf 'ERROR:\nORA-01034: ORACLE not available\nProcess ID: 0\nSession ID: 0 Serial number: 0\n\n\n'
    printf 'SP2-0751: Unable to connect to Oracle.  Exiting SQL*Plus\n'
    exit 1
fi
# writes without end (a program the owner put there may): only for the test process named in the file
if [ -f "$dir/flood" ] && [ "$(cat "$dir/flood")" = "$PPID" ]; then
    exec yes 'flood flood flood flood flood flood flood flood flood flood flood flood flood flood flood'
fi
# hangs only for the test process named in the file: other test runs asking this instance get answers
if [ -f "$dir/hang" ] && [ "$(cat "$dir/hang")" = "$PPID" ]; then
    sleep 300 &
    echo "$$ $!" >> "$dir/hung.pids"
    wait
    exit 0
fi
# what a site's glogin.sql may print before any query
echo "Session altered."
echo
while IFS= read -r line; do
    case "$line" in
        prompt\ *) printf '%s\n' "${line#prompt }" ;;
        *"to_char(value) from v\$sga"*) cat "$dir/sga" ;;
        *"sum(pga_alloc_mem)) from v\$process"*) cat "$dir/process" ;;
        *"name = 'use_large_pages'"*) cat "$dir/large_pages" ;;
        [sS][eE][lL][eE][cC][tT]\ *|[wW][iI][tT][hH]\ *) cat "$dir/sql" ;;
        exit) exit 0 ;;
    esac
done
exit 0
