#!/bin/sh
# @TOOL@, of linux-mem for JBang: a short launcher followed by the tool's jar in one file (Java reads
# a jar from its end, so the script in front does not disturb it). Copy it to a Linux box with Java 17+
# and run ./@TOOL@ --help. `java -jar @TOOL@` works too, without the options below.
# What a bare `java -jar` cannot set: the tool's JVM options (@JAVA_OPTIONS@), C1 only (a run of a
# few seconds spends more on C2 compiling than C2 code gives back), and the tool's classes shared from
# an archive made by its first run (LINUX_MEM_CDS=off: none).
self=$(readlink -f -- "$0") || exit 1
java=java
if [ -n "${JAVA_HOME:-}" ]; then java=$JAVA_HOME/bin/java; fi
set -- -XX:TieredStopAtLevel=1 @JAVA_OPTIONS@ -jar "$self" "$@"
# the archive is code the JVM maps: only from a folder of ours in the home /etc/passwd gives us, that
# no one else can write (never from a path the environment names)
home=$(getent passwd "$(id -u)" | cut -d: -f6)
cache=$home/.cache/linux-mem
javabin=$(command -v "$java" 2>/dev/null) && javabin=$(readlink -f -- "$javabin") || javabin=
if [ "${LINUX_MEM_CDS:-on}" != off ] && [ -n "$home" ] && [ -n "$javabin" ] && [ -O "$home" ] \
    && mkdir -p "$home/.cache" 2>/dev/null && mkdir -p -m 700 "$cache" 2>/dev/null && [ -O "$cache" ] \
    && [ -z "$(find "$home" "$home/.cache" "$cache" -maxdepth 0 -perm /022 2>/dev/null)" ]; then
  # one archive per launcher file and per JVM: another file or JDK cannot use it
  jsa=$cache/@TOOL@-$(stat -c %s-%Y -- "$self")-$(printf %s "$javabin" | cksum | cut -d' ' -f1).jsa
  if [ -f "$jsa" ] && [ -O "$jsa" ]; then
    exec "$java" -XX:SharedArchiveFile="$jsa" -Xshare:auto -Xlog:disable -Xlog:all=error:stderr "$@"
  fi
  # first run: the archive is written under a name of its own, then moved into place whole
  trap 'rm -f -- "$jsa.$$"; exit 130' INT
  trap 'rm -f -- "$jsa.$$"; exit 143' TERM
  "$java" -XX:ArchiveClassesAtExit="$jsa.$$" -Xlog:disable -Xlog:all=error:stderr "$@"
  rc=$?
  if [ -s "$jsa.$$" ]; then
    mv -f -- "$jsa.$$" "$jsa"
    # archives of this tool's earlier files are of no use any more
    for old in "$cache"/@TOOL@-*.jsa; do [ "$old" = "$jsa" ] || rm -f -- "$old"; done
  else
    rm -f -- "$jsa.$$"
  fi
  exit $rc
fi
exec "$java" "$@"
