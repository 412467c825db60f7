package org.ichtriage.board;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonProperty;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.ichtriage.Topics;
import org.ichtriage.analysis.CtSliceDecoder;
import org.ichtriage.dicom.codec.DicomException;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.seg.RgbImage;
import org.ichtriage.dicom.seg.SegmentationFrames;
import org.ichtriage.events.InstanceHeaders;
import org.ichtriage.events.ResultEvent;
import org.ichtriage.kafka.KafkaConnection;
import org.ichtriage.kafka.TopicReader;
import org.ichtriage.volume.CtSlice;

/**
 * The pictures of one result, read back from Kafka by the coordinates the event and the SEG topic give:
 * the source slices in patient order, the SEG's frames over them, and the key images. Nothing is kept
 * on disk; a small cache keeps the last few series a reader has open.
 */
public final class SeriesImages {
    /** One source slice as the viewer lists it; index is the slice's place in patient order. */
    public record SliceInfo(@JsonProperty("index") int index, @JsonProperty("sop_instance_uid") String sopInstanceUid,
                            @JsonProperty("instance_number") int instanceNumber,
                            @JsonProperty("position_mm") double positionMm, @JsonProperty("lesion") boolean lesion) {}

    /** One record of the series on ich.instances.v1, for the explain trail: headers only, never pixels. */
    public record TrailEntry(@JsonProperty("partition") int partition, @JsonProperty("offset") long offset,
                             @JsonProperty("time") String time, @JsonProperty("headers") Map<String, String> headers,
                             @JsonProperty("bytes") int bytes) {}

    /** A loaded result: slices in patient order with their masks, key images, and the instance records. */
    public record Loaded(String eventId, List<CtSlice> slices, List<boolean[]> masks, List<RgbImage> keyImages,
                         List<TrailEntry> trail) {
        public List<SliceInfo> sliceInfos() {
            List<SliceInfo> out = new ArrayList<>(slices.size());
            double[] normal = normalOf(slices.isEmpty() ? null : slices.get(0));
            for (int i = 0; i < slices.size(); i++) {
                out.add(new SliceInfo(i, slices.get(i).sopInstanceUid(), slices.get(i).instanceNumber(), round1(positionOf(slices.get(i), normal)), hasLesion(masks.get(i))));
            }
            return out;
        }
    }

    private final KafkaConnection kafka;
    private final int cacheSize;
    private final Map<String, Loaded> cache;

    public SeriesImages(KafkaConnection kafka, int cacheSize) {
        this.kafka = kafka;
        this.cacheSize = cacheSize;
        this.cache = new LinkedHashMap<>(8, 0.75f, true);
    }

    /**
     * @throws BoardException when the event's records are gone from the topics (retention) or cannot be read
     */
    public Loaded load(ResultEvent event, List<BoardView.OutputRecord> outputs) {
        synchronized (cache) {
            Loaded hit = cache.get(event.eventId());
            if (hit != null) {
                return hit;
            }
        }
        Loaded loaded = read(event, outputs);
        synchronized (cache) {
            cache.put(event.eventId(), loaded);
            while (cache.size() > cacheSize) {
                cache.remove(cache.keySet().iterator().next());
            }
        }
        return loaded;
    }

    private Loaded read(ResultEvent event, List<BoardView.OutputRecord> outputs) {
        ResultEvent.Provenance prov = event.provenance();
        Map<TopicPartition, Long> start = new HashMap<>();
        Map<TopicPartition, Long> end = new HashMap<>();
        for (ResultEvent.OffsetRange r : prov.offsets()) {
            TopicPartition tp = new TopicPartition(prov.sourceTopic(), r.partition());
            start.merge(tp, r.first(), Math::min);
            end.merge(tp, r.last() + 1, Math::max);
        }
        List<CtSlice> slices = new ArrayList<>();
        List<TrailEntry> trail = new ArrayList<>();
        SegmentationFrames seg = null;
        List<RgbImage> keyImages = new ArrayList<>();
        try (TopicReader reader = new TopicReader(kafka)) {
            List<ConsumerRecord<String, byte[]>> records = reader.read(start, end, r -> event.seriesInstanceUid().equals(r.key()));
            for (ConsumerRecord<String, byte[]> r : records) {
                trail.add(new TrailEntry(r.partition(), r.offset(), Instant.ofEpochMilli(r.timestamp()).toString(), headers(r),
                        r.value() == null ? 0 : r.value().length));
                if (r.value() == null || r.headers().lastHeader(InstanceHeaders.CONTROL) != null) {
                    continue;
                }
                CtSlice s = CtSliceDecoder.decode(DicomReader.readPart10(r.value(), DicomLimits.DEFAULT).dataset(), r.value().length);
                if (s.hasPixelData() && !s.isLocalizer()) {
                    slices.add(s);
                }
            }
            for (BoardView.OutputRecord o : outputs) {
                TopicPartition tp = new TopicPartition(Topics.SEG, o.partition());
                List<ConsumerRecord<String, byte[]>> found = reader.read(Map.of(tp, o.offset()), Map.of(tp, o.offset() + 1), r -> true);
                if (found.isEmpty()) {
                    throw new BoardException("the " + o.kind() + " record " + Topics.SEG + "-" + o.partition() + "@" + o.offset()
                            + " is no longer on the topic");
                }
                var ds = DicomReader.readPart10(found.get(0).value(), DicomLimits.DEFAULT).dataset();
                if ("seg".equals(o.kind())) {
                    seg = SegmentationFrames.read(ds);
                } else {
                    keyImages.add(RgbImage.fromDataset(ds));
                }
            }
        } catch (DicomException | IllegalArgumentException e) {
            throw new BoardException("cannot read the records of event " + event.eventId() + ": " + e.getMessage());
        }
        if (slices.isEmpty()) {
            throw new BoardException("the source instances of event " + event.eventId() + " (" + prov.sourceTopic() + " "
                    + prov.offsets() + ") are no longer on the topic");
        }
        double[] normal = normalOf(slices.get(0));
        slices.sort(Comparator.comparingDouble(s -> positionOf(s, normal)));
        List<boolean[]> masks = new ArrayList<>(slices.size());
        for (CtSlice s : slices) {
            masks.add(seg == null ? null : seg.maskFor(s.sopInstanceUid()).orElse(null));
        }
        return new Loaded(event.eventId(), List.copyOf(slices), masks, List.copyOf(keyImages), List.copyOf(trail));
    }

    private static Map<String, String> headers(ConsumerRecord<String, byte[]> r) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Header h : r.headers()) {
            out.put(h.key(), h.value() == null ? "" : new String(h.value(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return out;
    }

    static double[] normalOf(CtSlice s) {
        double[] o = s == null ? null : s.imageOrientationPatient();
        if (o == null || o.length != 6) {
            return new double[] {0, 0, 1};
        }
        return new double[] {o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]};
    }

    static double positionOf(CtSlice s, double[] normal) {
        double[] p = s.imagePositionPatient();
        return p == null || p.length != 3 ? s.instanceNumber() : p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2];
    }

    private static boolean hasLesion(boolean[] mask) {
        if (mask == null) {
            return false;
        }
        for (boolean b : mask) {
            if (b) {
                return true;
            }
        }
        return false;
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    public Optional<Loaded> cached(String eventId) {
        synchronized (cache) {
            return Optional.ofNullable(cache.get(eventId));
        }
    }
}
