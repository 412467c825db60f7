package org.ichtriage.dicom.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Debian's dcmtk tools as real, independent peers. TCP_NODELAY=1 puts them at their best (FINDINGS.md). */
public final class Dcmtk {
    public record Result(int exitCode, String output) {
    }

    private Dcmtk() {
    }

    public static boolean available() {
        return Files.isExecutable(Path.of("/usr/bin/storescu")) && Files.isExecutable(Path.of("/usr/bin/echoscu"));
    }

    public static Result run(long timeoutSeconds, List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("TCP_NODELAY", "1");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timeout running " + cmd);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    public static Result storescu(int port, String calledAet, List<Path> files) throws IOException, InterruptedException {
        return storescu(port, calledAet, List.of(), files);
    }

    public static Result storescu(int port, String calledAet, List<String> options, List<Path> files)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("storescu", "-v", "-aet", "STORESCU", "-aec", calledAet));
        cmd.addAll(options);
        cmd.add("127.0.0.1");
        cmd.add(Integer.toString(port));
        files.forEach(f -> cmd.add(f.toString()));
        return run(120, cmd);
    }

    public static Result echoscu(int port, String calledAet) throws IOException, InterruptedException {
        return run(30, List.of("echoscu", "-v", "-aet", "ECHOSCU", "-aec", calledAet, "127.0.0.1", Integer.toString(port)));
    }

    /** The dataset part of a Part 10 file: after preamble, DICM and the group 0002 given by its group length. */
    public static byte[] datasetOf(byte[] part10) {
        if (part10.length < 144 || part10[128] != 'D' || part10[129] != 'I' || part10[130] != 'C' || part10[131] != 'M'
                || part10[132] != 2 || part10[133] != 0 || part10[134] != 0 || part10[135] != 0) {
            throw new IllegalArgumentException("not a Part 10 file with a File Meta group length");
        }
        int gl = (part10[140] & 0xFF) | ((part10[141] & 0xFF) << 8) | ((part10[142] & 0xFF) << 16) | ((part10[143] & 0xFF) << 24);
        int off = 144 + gl;
        return java.util.Arrays.copyOfRange(part10, off, part10.length);
    }

    public static String dcmdump(Path f) throws IOException, InterruptedException {
        Result r = run(60, List.of("dcmdump", "+L", "-q", f.toString()));
        if (r.exitCode() != 0) {
            throw new IOException("dcmdump failed on " + f + ": " + r.output());
        }
        return r.output();
    }
}
