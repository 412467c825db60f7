package org.ichtriage.cli;

import org.ichtriage.UserError;
import org.ichtriage.config.ConfigException;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "ich-triage", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Intracranial hemorrhage triage worker: DICOM C-STORE in, Kafka, SLEX-Net via ONNX Runtime,",
                "DICOM SEG and JSON events out. NOT FOR CLINICAL USE: the shipped model is trained on phantoms."},
        subcommands = {RunCommand.class, SendCommand.class, EchoCommand.class, AnalyzeCommand.class, InspectCommand.class,
                EventsCommand.class, ExplainCommand.class, CompleteCommand.class, ForwardCommand.class, ReplayCommand.class, BenchCommand.class,
                ConfigCommand.class, BoardUserCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Examples:", "  ich-triage run                      # embedded Kafka, listener on 127.0.0.1:11112, health on :8080",
                "  ich-triage config --set dicom.port=11113"})
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        CommandLine cl = commandLine();
        // Picocli prints the top-level help and exits 0 for `NOSUCHVERB --help`: a script must be able to
        // tell a missing command from a present one, with or without --help.
        if (args.length > 0 && !args[0].startsWith("-") && !cl.getSubcommands().containsKey(args[0])) {
            cl.getErr().println("ich-triage: unknown command '" + args[0] + "'; `ich-triage --help` lists the commands");
            return 2;
        }
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // A user error is one line naming the setting; anything else is a bug and keeps its stack trace.
            if (ex instanceof ConfigException || ex instanceof UserError) {
                cmd.getErr().println("ich-triage: " + ex.getMessage());
                return 2;
            }
            for (Throwable t = ex; t != null; t = t.getCause()) {
                if (t instanceof java.net.BindException) {
                    cmd.getErr().println("ich-triage: cannot listen, the address is in use or not available (" + t.getMessage()
                            + "); choose another port with --dicom-port, --http-port or --set kafka.embedded.port=");
                    return 2;
                }
                if (t instanceof org.ichtriage.analysis.PatientKeyException) {
                    cmd.getErr().println("ich-triage: " + t.getMessage());
                    return 2;
                }
            }
            throw ex;
        });
        return cl.execute(args);
    }

    /** The command tree with its help layout, as `ich-triage` runs it. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        HelpLayout.install(cl);
        return cl;
    }

    /** An error the user can fix (a bad path, an unreachable peer), reported as one line without a stack trace. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ich-triage " + softwareVersion()};
        }
    }

    public static String softwareVersion() {
        return org.ichtriage.SoftwareVersion.get();
    }
}
