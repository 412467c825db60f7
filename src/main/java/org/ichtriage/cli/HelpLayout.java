package org.ichtriage.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * How --help is laid out. Picocli cuts a line at the width wherever it falls (an example came out as
 * "kafka-1:" and "9092" on two lines), and lists a command by the first element of its description,
 * which is rarely a whole sentence. Here descriptions are paragraphs wrapped between words, the command
 * list shows each command's first sentence, and examples are printed as written so they can be copied.
 */
final class HelpLayout {
    static final int WIDTH = 100;
    private static final int COMMAND_INDENT = 2;

    private HelpLayout() {}

    static void install(CommandLine cl) {
        cl.setUsageHelpWidth(WIDTH);
        Map<String, CommandLine.IHelpSectionRenderer> sections = cl.getHelpSectionMap();
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_DESCRIPTION, help -> wrapped(paragraphs(help.commandSpec()), 0));
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER, help -> verbatim(help.commandSpec().usageMessage().footer()));
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, HelpLayout::commandList);
        for (CommandLine sub : cl.getSubcommands().values()) {
            install(sub);
        }
    }

    /**
     * The description as paragraphs: consecutive elements are one paragraph (authors split long
     * sentences across elements), and an element that starts with spaces is a list item on its own line.
     */
    static List<String> paragraphs(CommandSpec spec) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String element : spec.usageMessage().description()) {
            // picocli's own commands mark a new paragraph with %n
            String line = element.startsWith("%n") ? element.substring(2) : element;
            if (element.startsWith("%n")) {
                flush(current, out);
            }
            if (line.startsWith(" ")) {
                flush(current, out);
                out.add(line);
            } else {
                if (current.length() > 0) {
                    current.append(' ');
                }
                current.append(line.strip());
            }
        }
        flush(current, out);
        return out;
    }

    private static void flush(StringBuilder current, List<String> out) {
        if (current.length() > 0) {
            out.add(current.toString());
            current.setLength(0);
        }
    }

    /** The first sentence of a command's description: what the command list shows. */
    static String summary(CommandSpec spec) {
        String[] header = spec.usageMessage().header();
        if (header.length > 0) {
            return String.join(" ", header).strip(); // picocli's convention: a header is the one-line summary
        }
        List<String> paragraphs = paragraphs(spec);
        if (paragraphs.isEmpty()) {
            return "";
        }
        String text = paragraphs.get(0).strip();
        for (int i = 0; i < text.length() - 1; i++) {
            // ". " before a capital ends a sentence; "e.g. the" does not
            if (text.charAt(i) == '.' && text.charAt(i + 1) == ' ' && i + 2 < text.length() && Character.isUpperCase(text.charAt(i + 2))) {
                return text.substring(0, i + 1);
            }
        }
        return text.endsWith(":") ? text.substring(0, text.length() - 1) + "." : text;
    }

    private static String commandList(CommandLine.Help help) {
        Map<String, CommandLine.Help> subs = help.subcommands();
        if (subs.isEmpty()) {
            return "";
        }
        int nameWidth = subs.keySet().stream().mapToInt(String::length).max().orElse(0);
        StringBuilder sb = new StringBuilder();
        for (var e : subs.entrySet()) {
            String prefix = " ".repeat(COMMAND_INDENT) + e.getKey() + " ".repeat(nameWidth - e.getKey().length() + 2);
            List<String> lines = wrap(summary(e.getValue().commandSpec()), WIDTH - prefix.length());
            for (int i = 0; i < lines.size(); i++) {
                sb.append(i == 0 ? prefix : " ".repeat(prefix.length())).append(lines.get(i)).append('\n');
            }
        }
        return sb.toString();
    }

    private static String wrapped(List<String> paragraphs, int indent) {
        StringBuilder sb = new StringBuilder();
        for (String p : paragraphs) {
            if (indent + p.length() <= WIDTH) {
                // short lines (list items) keep their own alignment
                sb.append(" ".repeat(indent)).append(p).append('\n');
                continue;
            }
            int lead = p.length() - p.stripLeading().length();
            // a list item ("  ingest    N slices ...") continues under its text column, not under its name
            java.util.regex.Matcher column = java.util.regex.Pattern.compile("^ +\\S+ {2,}").matcher(p);
            int hanging = lead > 0 && column.find() ? column.end() : lead;
            int breakAt = p.lastIndexOf(' ', WIDTH - indent);
            String first = breakAt > lead ? p.substring(0, breakAt) : p;
            sb.append(" ".repeat(indent)).append(first).append('\n');
            if (first.length() < p.length()) {
                String pad = " ".repeat(indent + hanging);
                for (String line : wrap(p.substring(first.length()).strip(), WIDTH - pad.length())) {
                    sb.append(pad).append(line).append('\n');
                }
            }
        }
        return sb.toString();
    }

    private static String verbatim(String[] lines) {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        return sb.toString();
    }

    /** Breaks only between words; a word longer than the width gets a line of its own, whole. */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" +")) {
            if (word.isEmpty()) {
                continue;
            }
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0 || lines.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }
}
