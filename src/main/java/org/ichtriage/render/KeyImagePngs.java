package org.ichtriage.render;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ichtriage.dicom.seg.KeyImageDescription;
import org.ichtriage.dicom.seg.KeyImageRenderer;
import org.ichtriage.dicom.seg.RenderedKeyImage;

/** The key images as PNG files, for people without a DICOM viewer (`ich-triage inspect`). */
public final class KeyImagePngs {
    /** A PNG and the file name it should be saved under: key-1-slice-07.png, in slice order. */
    public record NamedPng(String fileName, int sliceIndex, byte[] png) {
    }

    private KeyImagePngs() {
    }

    public static List<NamedPng> render(KeyImageDescription d) {
        return encode(KeyImageRenderer.render(d));
    }

    /** Encodes images already rendered, e.g. the same ones that went into the Secondary Capture instances. */
    public static List<NamedPng> encode(List<RenderedKeyImage> images) {
        List<NamedPng> out = new ArrayList<>(images.size());
        int n = 1;
        for (RenderedKeyImage k : images) {
            out.add(new NamedPng(String.format(Locale.ROOT, "key-%d-slice-%02d.png", n++, k.sliceIndex() + 1),
                    k.sliceIndex(), PngWriter.write(k.image())));
        }
        return out;
    }
}
