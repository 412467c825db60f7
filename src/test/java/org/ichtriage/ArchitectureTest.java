package org.ichtriage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The rules of docs/architecture.md, read from the import lines of the main sources. */
class ArchitectureTest {
    private static final Path MAIN = Path.of("src/main/java");
    private static final Pattern PACKAGE = Pattern.compile("^package org\\.ichtriage(\\.[\\w.]+)?;", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)", Pattern.MULTILINE);

    /** Floors of the house: a package imports only from floors below its own. */
    private static final Map<String, Integer> FLOOR = Map.ofEntries(
            Map.entry("", 0), Map.entry("dicom.codec", 0), Map.entry("events", 0),
            Map.entry("dicom.net", 1), Map.entry("dicom.seg", 1), Map.entry("phantom", 1), Map.entry("volume", 1),
            Map.entry("inference", 2), Map.entry("render", 2), Map.entry("alerts", 2),
            Map.entry("alerts.hl7", 3), Map.entry("alerts.fhir", 3), Map.entry("alerts.webhook", 3),
            Map.entry("config", 3),
            Map.entry("analysis", 4), Map.entry("ingest", 4), Map.entry("forward", 4), Map.entry("kafka", 4),
            Map.entry("pipeline", 5), Map.entry("bench", 5), Map.entry("board", 5),
            Map.entry("service", 6),
            Map.entry("audit", 7),
            Map.entry("cli", 8));

    private record Source(Path path, String pkg, List<String> imports) {}

    private static List<Source> sources() throws IOException {
        List<Source> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String text = Files.readString(p);
                Matcher pm = PACKAGE.matcher(text);
                String pkg = pm.find() && pm.group(1) != null ? pm.group(1).substring(1) : "";
                List<String> imports = new ArrayList<>();
                Matcher im = IMPORT.matcher(text);
                while (im.find()) {
                    imports.add(im.group(1));
                }
                out.add(new Source(p, pkg, imports));
            }
        }
        return out;
    }

    /** The ich-triage package an import names: its lower-case segments after org.ichtriage. */
    private static String packageOf(String imported) {
        List<String> segments = new ArrayList<>();
        for (String s : imported.substring("org.ichtriage.".length()).split("\\.")) {
            if (s.isEmpty() || !Character.isLowerCase(s.charAt(0))) {
                break;
            }
            segments.add(s);
        }
        return String.join(".", segments);
    }

    @Test
    void theCoreImportsNoKafkaNetworkOrCommandLine() throws IOException {
        TreeSet<String> offending = new TreeSet<>();
        for (Source s : sources()) {
            if (s.pkg().equals("analysis") || s.pkg().equals("volume") || s.pkg().equals("inference")
                    || s.pkg().equals("dicom.codec")) {
                for (String i : s.imports()) {
                    if (i.startsWith("org.apache.kafka") || i.startsWith("java.net") || i.startsWith("javax.net")
                            || i.startsWith("picocli")) {
                        offending.add(s.path() + " imports " + i);
                    }
                }
            }
        }
        assertEquals(new TreeSet<>(), offending);
    }

    @Test
    void everyImportPointsToAFloorBelow() throws IOException {
        TreeSet<String> offending = new TreeSet<>();
        for (Source s : sources()) {
            Integer floor = FLOOR.get(s.pkg());
            if (floor == null) {
                offending.add(s.path() + ": package '" + s.pkg() + "' has no floor here nor in docs/architecture.md");
                continue;
            }
            for (String i : s.imports()) {
                if (!i.startsWith("org.ichtriage.")) {
                    continue;
                }
                String target = packageOf(i);
                if (target.equals(s.pkg())) {
                    continue;
                }
                Integer to = FLOOR.get(target);
                if (to == null || to >= floor) {
                    offending.add(s.path() + " (" + s.pkg() + ", floor " + floor + ") imports " + i + " (floor " + to + ")");
                }
            }
        }
        assertEquals(new TreeSet<>(), offending);
    }
}
