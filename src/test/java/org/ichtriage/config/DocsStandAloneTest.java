package org.ichtriage.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** Every document reads whole in a user's clone: no path into the developers' machine, no link to a missing file. */
class DocsStandAloneTest {
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");
    /** Paths that exist only beside the repository on the machines it was written on. */
    private static final List<String> OUTSIDE = List.of("../shared", "/work/", "ARCHITECTURE.md", "FINDINGS.md");

    private static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> s = Files.walk(Path.of("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    @Test
    void noDocumentPointsOutsideTheRepository() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path doc : documents()) {
            List<String> lines = Files.readAllLines(doc);
            for (int i = 0; i < lines.size(); i++) {
                for (String outside : OUTSIDE) {
                    // the README's recorded demo output shows the path it ran in; that is output, not a reference
                    if (lines.get(i).contains(outside) && !lines.get(i).startsWith("demo: ")) {
                        found.add(doc + ":" + (i + 1) + ": " + outside);
                    }
                }
            }
        }
        assertEquals(List.of(), found);
    }

    @Test
    void everyRelativeLinkResolves() throws IOException {
        List<String> broken = new ArrayList<>();
        int links = 0;
        for (Path doc : documents()) {
            Matcher m = LINK.matcher(Files.readString(doc));
            while (m.find()) {
                String target = m.group(1);
                if (target.contains("://") || target.startsWith("mailto:")) {
                    continue;
                }
                links++;
                Path resolved = doc.toAbsolutePath().getParent().resolve(target).normalize();
                if (!Files.exists(resolved) || !resolved.startsWith(Path.of("").toAbsolutePath())) {
                    broken.add(doc + " -> " + target);
                }
            }
        }
        assertTrue(links > 10, "read " + links + " links");
        assertEquals(List.of(), broken);
    }
}
