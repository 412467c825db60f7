package org.ichtriage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** The help a newcomer reads first, and the exit status a script relies on. */
class CliHelpTest {
    /** What a run of the command line printed, and its exit status. */
    record Run(int rc, String out, String err) {}

    static Run run(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = Main.execute(args);
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anUnknownCommandIsOneLineAndExitTwoWithOrWithoutHelp() {
        for (String[] args : List.of(new String[] {"NOSUCHVERB", "--help"}, new String[] {"NOSUCHVERB"},
                new String[] {"NOSUCHVERB", "-h"})) {
            Run r = run(args);
            assertEquals(2, r.rc(), String.join(" ", args));
            assertEquals("", r.out(), "no usage on stdout for " + String.join(" ", args));
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("ich-triage: unknown command 'NOSUCHVERB'"), r.err());
        }
        Run known = run("config", "--help");
        assertEquals(0, known.rc());
        assertTrue(known.out().startsWith("Usage: ich-triage config"), known.out());
    }

    private static List<CommandLine> everyCommand() {
        CommandLine top = Main.commandLine();
        List<CommandLine> all = new ArrayList<>(List.of(top));
        all.addAll(top.getSubcommands().values());
        return all;
    }

    @Test
    void examplesAreNeverBrokenAcrossLines() {
        for (CommandLine cl : everyCommand()) {
            String usage = cl.getUsageMessage();
            List<String> lines = usage.lines().toList();
            for (String footer : cl.getCommandSpec().usageMessage().footer()) {
                if (footer.strip().startsWith("ich-triage ") || footer.strip().startsWith("ICH_")) {
                    assertTrue(lines.contains(footer), "example printed whole on one line: '" + footer + "' in\n" + usage);
                }
            }
        }
    }

    @Test
    void proseWrapsBetweenWordsWithinTheWidth() {
        for (CommandLine cl : everyCommand()) {
            String usage = cl.getUsageMessage();
            List<String> footer = List.of(cl.getCommandSpec().usageMessage().footer());
            for (String line : usage.lines().toList()) {
                if (!footer.contains(line)) {
                    assertTrue(line.length() <= HelpLayout.WIDTH, "line over " + HelpLayout.WIDTH + ": '" + line + "'");
                }
            }
            // every word of the description is printed whole: none is cut at the line end
            String printed = usage.replaceAll("\\s+", " ");
            for (String word : String.join(" ", cl.getCommandSpec().usageMessage().description()).split("\\s+")) {
                if (!word.isEmpty() && !word.startsWith("%n")) {
                    assertTrue(printed.contains(word), "'" + word + "' of the description is not printed whole:\n" + usage);
                }
            }
        }
    }

    @Test
    void theCommandListShowsWholeSentences() {
        Run r = run("--help");
        assertEquals(0, r.rc());
        String list = r.out().substring(r.out().indexOf("Commands:"), r.out().indexOf("Examples:"));
        // each entry, joined over its continuation lines, ends a sentence
        List<String> entries = new ArrayList<>();
        for (String line : list.lines().skip(1).toList()) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("   ") && !entries.isEmpty()) {
                entries.set(entries.size() - 1, entries.get(entries.size() - 1) + " " + line.strip());
            } else {
                entries.add(line.strip());
            }
        }
        assertTrue(entries.size() >= 10, list);
        for (String e : entries) {
            assertTrue(e.endsWith("."), "summary cut mid-sentence: '" + e + "'");
        }
        assertTrue(list.matches("(?s).*\\n  send +Send DICOM Part 10 files by C-STORE over one association.*"), list);
    }

    @Test
    void wrapBreaksOnlyAtSpaces() {
        assertEquals(List.of("run --role worker", "--bootstrap-servers", "kafka-1:9092,kafka-2:9092"),
                HelpLayout.wrap("run --role worker --bootstrap-servers kafka-1:9092,kafka-2:9092", 20));
    }
}
