package org.ichtriage.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.ichtriage.dicom.codec.DicomException;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.NotPart10Exception;
import org.ichtriage.dicom.net.DicomClient;
import org.ichtriage.dicom.net.PresentationContextRq;
import org.ichtriage.dicom.net.ScuConfig;
import org.ichtriage.dicom.net.StoreStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import org.ichtriage.dicom.codec.TransferSyntax;
import org.ichtriage.dicom.net.Part10Input;
import org.ichtriage.UserError;

@Command(name = "send", mixinStandardHelpOptions = true,
        description = "Send DICOM Part 10 files by C-STORE over one association (files sent as stored, no re-encoding; "
                + "an RLE or JPEG Lossless file goes decompressed only if the peer refuses its syntax).",
        footer = {"", "Example:", "  ich-triage send ct-head-ge-tilt/ --host 127.0.0.1 --port 11112 --aet ICHTRIAGE",
                "", "Files that are not DICOM (a README, a licence) are skipped and counted.",
                "Exit status: 0 every DICOM file stored, 1 some refused or unreadable, 2 no association or no DICOM file."})
public final class SendCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DIR|FILE", description = "files, or folders searched recursively")
    List<Path> inputs;

    @Mixin
    PeerOptions peer;

    @Override
    public Integer call() {
        List<Path> files = collect(inputs);
        if (files.isEmpty()) {
            throw new UserError("no files found in " + inputs);
        }
        Summary summary = sendFiles(files, peer.host, peer.port, peer.calledAet, peer.callingAet);
        if (summary.notDicom() == files.size()) {
            throw new UserError("no DICOM files in " + inputs + " (" + summary.notDicom() + " other files skipped)");
        }
        System.out.printf("sent %d of %d DICOM files to %s (%d failed", summary.stored(), files.size() - summary.notDicom(),
                peer, summary.failed());
        System.out.printf(summary.notDicom() == 0 ? ")%n" : "; %d files skipped, not DICOM)%n", summary.notDicom());
        return summary.failed() == 0 ? 0 : 1;
    }

    /**
     * How many files a peer stored, how many it refused or could not take (including broken DICOM files),
     * and how many were skipped because they are not DICOM at all (a README beside the images).
     */
    record Summary(int stored, int failed, int notDicom) {}

    /** Sends the files over one association; per-file refusals go to stderr, a broken association is a UserError. */
    static Summary sendFiles(List<Path> files, String host, int port, String calledAet, String callingAet) {
        List<Part10Input> objects = new ArrayList<>();
        int failed = 0;
        int notDicom = 0;
        for (Path f : files) {
            try {
                objects.add(Part10Input.read(f, DicomLimits.DEFAULT));
            } catch (NotPart10Exception e) {
                // Exported folders carry READMEs, licences and viewers: not an error, but said, so a mistake shows.
                System.err.println("skipped " + f + ": " + e.getMessage());
                notDicom++;
            } catch (IOException | DicomException e) {
                System.err.println("skipped " + f + ": " + e.getMessage());
                failed++;
            }
        }
        int stored = 0;
        if (!objects.isEmpty()) {
            Set<String> classes = new LinkedHashSet<>();
            Set<String> syntaxes = new LinkedHashSet<>();
            objects.forEach(o -> {
                classes.add(o.sopClassUid());
                syntaxes.add(o.transferSyntaxUid());
            });
            if (objects.stream().anyMatch(Part10Input::isDecodedCompressed)) {
                // for a peer that refuses RLE or JPEG Lossless: such files then go decompressed
                syntaxes.add(TransferSyntax.EXPLICIT_VR_LE);
            }
            List<PresentationContextRq> pcs = DicomClient.propose(classes, syntaxes);
            ScuConfig cfg = ScuConfig.of(host, port, calledAet, callingAet);
            try (DicomClient c = DicomClient.connect(cfg, pcs)) {
                for (Part10Input o : objects) {
                    StoreStatus st;
                    if (c.contextFor(o.sopClassUid(), o.transferSyntaxUid()) >= 0) {
                        st = c.store(o.sopClassUid(), o.sopInstanceUid(), o.transferSyntaxUid(), o.bytes(),
                                o.datasetOffset(), o.datasetLength());
                    } else if (o.isDecodedCompressed() && c.contextFor(o.sopClassUid(), TransferSyntax.EXPLICIT_VR_LE) >= 0) {
                        byte[] plain;
                        try {
                            plain = o.decompressedDataset(DicomLimits.DEFAULT);
                        } catch (DicomException e) {
                            System.err.println("refused " + o.path() + ": peer refused " + o.transferSyntaxUid()
                                    + " and the pixel data does not decompress: " + e.getMessage());
                            failed++;
                            continue;
                        }
                        System.err.println("decompressed " + o.path() + ": peer refused " + o.transferSyntaxUid()
                                + ", sent in Explicit VR Little Endian");
                        st = c.store(o.sopClassUid(), o.sopInstanceUid(), TransferSyntax.EXPLICIT_VR_LE, plain);
                    } else {
                        System.err.println("refused " + o.path() + ": peer accepted no context for SOP class "
                                + o.sopClassUid() + " in " + o.transferSyntaxUid());
                        failed++;
                        continue;
                    }
                    if (st.isStored()) {
                        stored++;
                    } else {
                        failed++;
                        System.err.printf("refused %s: status %04X%s%n", o.path(), st.code(),
                                st.comment() == null ? "" : " (" + st.comment() + ")");
                    }
                }
            } catch (IOException e) {
                throw new UserError("C-STORE to " + calledAet + "@" + host + ":" + port + " failed after "
                        + stored + " of " + files.size() + " files: " + e.getMessage());
            }
        }
        return new Summary(stored, failed, notDicom);
    }

    static List<Path> collect(List<Path> inputs) {
        List<Path> out = new ArrayList<>();
        for (Path in : inputs) {
            if (Files.isDirectory(in)) {
                try (Stream<Path> s = Files.walk(in)) {
                    s.filter(Files::isRegularFile).sorted().forEach(out::add);
                } catch (IOException e) {
                    throw new UserError("cannot list " + in + ": " + e.getMessage());
                }
            } else if (Files.isRegularFile(in)) {
                out.add(in);
            } else {
                throw new UserError("no such file or folder: " + in);
            }
        }
        return out;
    }
}
