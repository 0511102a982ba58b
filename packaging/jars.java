///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.6
//SOURCES ../lib/cli/Version.java

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Builds one self-contained jar per tool into dist/ (or the folder given): the tool's classes and
 * its dependencies merged, runnable with `java -jar` on Java 17+ with no JBang, network or Maven
 * cache. Usage: ./jbang packaging/jars.java [OUTDIR] [TOOL.java...]
 * (jbang export fatjar refuses our scripts: RoaringBitmap ships a module-info.class, and the jar
 * tool will not put a main class of the unnamed package in what it then takes for a module.)
 * Two things keep the jars small: fastutil (6.6 MB of generated collections, no reflection) is cut
 * to the classes our code reaches (class-level dependencies from jdeps), and JNA keeps its native
 * library for Linux only: these tools read Linux's /proc. Each jar records the git commit it was built from (--version), and
 * OUTDIR/man/man1/TOOL.1 and OUTDIR/completion/TOOL.bash are written from its command line. Beside each jar, dist/TOOL: the same jar behind
 * a launcher script (packaging/launcher.sh) that gives the JVM the tool's options; one file to copy.
 */
public class jars {
    public static void main(String[] args) throws Exception {
        Path repo = Path.of(".").toAbsolutePath().normalize();
        if (!Files.isExecutable(repo.resolve("jbang"))) {
            System.err.println("jars: run from the repository root (./jbang packaging/jars.java)");
            System.exit(2);
        }
        Path out = Path.of(args.length > 0 && !args[0].endsWith(".java") ? args[0] : "dist");
        List<String> tools = new ArrayList<>();
        for (String a : args) if (a.endsWith(".java")) tools.add(a);
        if (tools.isEmpty()) {
            try (var s = Files.list(repo)) {
                s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".java")).sorted().forEach(tools::add);
            }
        }
        if (!Files.isDirectory(out)) {
            // the jars are for every user (they hold no secret), whatever the umask: so is a folder made here
            Files.createDirectories(out);
            Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        // --version of a jar names the commit it was built from (read from .git, never by running git)
        String commit = lib.cli.Version.commitOf(repo);
        if (commit == null) System.err.println("jars: no git commit found in " + repo + ": --version will say so");
        byte[] build = ("version=" + lib.cli.Version.VERSION + "\ncommit=" + (commit == null ? "" : commit) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (String tool : tools) {
            String main = tool.substring(0, tool.length() - ".java".length());
            run(repo, "./jbang", "build", "--quiet", tool);
            String cp = run(repo, "./jbang", "info", "classpath", "--quiet", tool).strip();
            Path jar = out.resolve(main + ".jar");
            List<String> classpath = List.of(cp.split(":"));
            build(jar, main, classpath, reachable(classpath), Map.of(lib.cli.Version.RESOURCE, build));
            // the man page and the bash completion of the jar's own command line: OUT/man/man1, OUT/completion
            run(repo, javaBin, "-cp", jar.toString(), "lib.cli.Docs", main, out.toString());
            System.out.printf("%-28s %6.1f MB%n", jar, Files.size(jar) / 1e6);
            Path launcher = out.resolve(main);
            launcher(repo.resolve("packaging/launcher.sh"), repo.resolve(tool), jar, launcher);
            System.out.printf("%-28s %6.1f MB%n", launcher, Files.size(launcher) / 1e6);
        }
    }

    /**
     * The one file to copy: packaging/launcher.sh with the tool's name and its script's //JAVA_OPTIONS,
     * followed by the jar; executable. Java finds a jar's entries from its end, so the text in front is harmless.
     */
    static void launcher(Path template, Path script, Path jar, Path target) throws IOException {
        String options = "";
        for (String line : Files.readAllLines(script)) {
            if (line.startsWith("//JAVA_OPTIONS ")) options = (options + " " + line.substring("//JAVA_OPTIONS ".length())).strip();
        }
        if (!options.matches("[-A-Za-z0-9:+=.,_ ]*")) throw new IOException(script + ": //JAVA_OPTIONS with characters the launcher does not quote: " + options);
        String name = target.getFileName().toString();
        String text = Files.readString(template).replace("@TOOL@", name).replace("@JAVA_OPTIONS@", options);
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), name, ".part");
        try {
            try (var outStream = Files.newOutputStream(tmp)) {
                outStream.write(text.getBytes(StandardCharsets.UTF_8));
                Files.copy(jar, outStream);
            }
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed");
        return text;
    }

    /** Jars cut to what is reachable: pure collection libraries, loaded by no reflection. */
    static boolean shrunk(String jar) {
        return Path.of(jar).getFileName().toString().startsWith("fastutil");
    }

    /** Classes of the shrunk jars reachable from every class of the other jars (jdeps, class level). */
    static java.util.Set<String> reachable(List<String> classpath) throws IOException, InterruptedException {
        if (classpath.stream().noneMatch(jars::shrunk)) return java.util.Set.of();
        List<String> cmd = new ArrayList<>(List.of("jdeps", "--multi-release", "17", "-verbose:class", "-filter:none",
                "-cp", String.join(":", classpath)));
        cmd.addAll(classpath);
        Map<String, List<String>> edges = new java.util.HashMap<>();
        java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>();
        java.util.Set<String> shrunkJars = new java.util.HashSet<>();
        for (String j : classpath) if (shrunk(j)) shrunkJars.add(Path.of(j).getFileName().toString());
        String from = null;
        boolean fromShrunk = false;
        for (String line : run(Path.of("."), cmd.toArray(String[]::new)).split("\n")) {
            String[] f = line.trim().split("\s+");
            if (!line.startsWith(" ") && f.length >= 3 && f[1].equals("->")) {
                fromShrunk = shrunkJars.contains(f[0]);
                continue;
            }
            if (f.length < 3 || !f[1].equals("->")) continue;
            from = f[0];
            edges.computeIfAbsent(from, k -> new ArrayList<>()).add(f[2]);
            if (!fromShrunk) todo.add(f[2]);
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (!todo.isEmpty()) {
            String c = todo.pop();
            if (seen.add(c)) todo.addAll(edges.getOrDefault(c, List.of()));
        }
        return seen;
    }

    /**
     * Merges the jars: first one wins for a path, service files are concatenated, signatures and
     * module descriptors dropped, shrunk jars keep only the reachable classes.
     */
    static void build(Path target, String mainClass, List<String> classpath, java.util.Set<String> reachable,
            Map<String, byte[]> extra) throws IOException {
        Map<String, StringBuilder> services = new LinkedHashMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        mf.getMainAttributes().put(new Attributes.Name("Multi-Release"), "true");
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), target.getFileName().toString(), ".part");
        try {
            // a temporary file is private (0600): the jar is for every user
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(tmp), mf)) {
                seen.add("META-INF/MANIFEST.MF");
                for (Map.Entry<String, byte[]> e : extra.entrySet()) {
                    seen.add(e.getKey());
                    jar.putNextEntry(new ZipEntry(e.getKey()));
                    jar.write(e.getValue());
                    jar.closeEntry();
                }
                for (String entry : classpath) {
                    if (entry.isBlank()) continue;
                    boolean cut = shrunk(entry);
                    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(Path.of(entry)))) {
                        for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                            String name = e.getName();
                            if (e.isDirectory() || skip(name)) continue;
                            if (cut && name.endsWith(".class")
                                    && !reachable.contains(name.substring(0, name.length() - 6).replace('/', '.'))) continue;
                            if (name.startsWith("META-INF/services/")) {
                                services.computeIfAbsent(name, k -> new StringBuilder())
                                        .append(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip()).append('\n');
                                continue;
                            }
                            if (!seen.add(name)) continue;
                            jar.putNextEntry(new ZipEntry(name));
                            in.transferTo(jar);
                            jar.closeEntry();
                        }
                    }
                }
                for (Map.Entry<String, StringBuilder> s : services.entrySet()) {
                    jar.putNextEntry(new ZipEntry(s.getKey()));
                    jar.write(s.getValue().toString().getBytes(StandardCharsets.UTF_8));
                    jar.closeEntry();
                }
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static boolean skip(String name) {
        if (name.startsWith("com/sun/jna/") && name.contains("/libjnidispatch.") && !name.startsWith("com/sun/jna/linux-")) {
            return true;
        }
        String upper = name.toUpperCase();
        return name.endsWith("module-info.class") || name.equals("META-INF/MANIFEST.MF") || name.equals("META-INF/INDEX.LIST")
                || (upper.startsWith("META-INF/") && (upper.endsWith(".SF") || upper.endsWith(".RSA")
                || upper.endsWith(".DSA") || upper.endsWith(".EC")));
    }
}
