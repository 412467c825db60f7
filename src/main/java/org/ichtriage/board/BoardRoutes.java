package org.ichtriage.board;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;

import org.ichtriage.dicom.seg.RgbImage;
import org.ichtriage.events.ResultEvent;
import org.ichtriage.render.PngWriter;
import org.ichtriage.render.SliceRenderer;
import org.ichtriage.render.WindowPreset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The triage board's pages and its read-only JSON, SSE and PNG endpoints under /ui and /api. Every
 * request needs a credential when one is configured ({@link BoardAccess}); /health and /metrics are not
 * the board's and stay open for probes. Nothing here changes data.
 */
public final class BoardRoutes {
    private static final Logger log = LoggerFactory.getLogger(BoardRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The files of the page, served from the jar; anything else under /ui is 404, so no path reaches the class path. */
    private static final Map<String, String> PAGE_FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "study.html", "text/html; charset=utf-8",
            "operations.html", "text/html; charset=utf-8",
            "board.css", "text/css; charset=utf-8",
            "board.js", "text/javascript; charset=utf-8",
            "worklist.js", "text/javascript; charset=utf-8",
            "study.js", "text/javascript; charset=utf-8",
            "operations.js", "text/javascript; charset=utf-8");

    /** Why the board refuses to serve, when it does (bound off loopback without credentials). */
    private final Optional<String> refusal;
    private final BoardAccess access;
    private final boolean includePatientNames;
    private volatile BoardView view;
    private volatile SeriesImages images;
    private final Set<SseClient> streams = ConcurrentHashMap.newKeySet();

    /**
     * @param loopbackOnly whether the HTTP port is bound to a loopback address only; off loopback the
     *                     board serves only when {@code access} requires a credential
     */
    public BoardRoutes(BoardAccess access, boolean loopbackOnly, boolean includePatientNames) {
        this.access = access;
        this.includePatientNames = includePatientNames;
        this.refusal = loopbackOnly || access.required() ? Optional.empty()
                : Optional.of("the board shows patient images: with http.bind-host off loopback it needs http.auth.token or "
                        + "http.auth.users-file");
    }

    public Optional<String> refusal() {
        return refusal;
    }

    /** Starts serving data; until then the API answers 503. */
    public void connect(BoardView boardView, SeriesImages seriesImages) {
        this.images = seriesImages;
        this.view = boardView;
        Consumer<WorklistRow> push = row -> {
            String json = json(visible(row));
            for (SseClient c : streams) {
                try {
                    c.sendEvent("row", json);
                } catch (RuntimeException gone) {
                    // a page that went away must not keep the others from their rows
                    streams.remove(c);
                }
            }
        };
        boardView.addListener(push);
    }

    public void register(Javalin app) {
        app.before("/ui/*", this::guard);
        app.before("/ui", this::guard);
        app.before("/api/*", this::guard);
        app.get("/", ctx -> ctx.redirect("/ui/"));
        app.get("/ui", ctx -> page(ctx, "index.html")); // Javalin treats /ui/ the same

        app.get("/ui/{file}", ctx -> page(ctx, ctx.pathParam("file")));
        app.get("/api/worklist", ctx -> sendJson(ctx, view().worklist().stream().map(this::visible).toList()));
        app.sse("/api/stream", client -> {
            client.keepAlive();
            streams.add(client);
            client.onClose(() -> streams.remove(client));
            client.sendEvent("hello", "{}");
        });
        app.get("/api/series/{uid}", this::series);
        app.get("/api/series/{uid}/slices/{index}", this::slice);
        app.get("/api/series/{uid}/key-images/{index}", this::keyImage);
        app.get("/api/deadletters", ctx -> sendJson(ctx, view().deadLetters()));
        app.get("/api/skipped", ctx -> sendJson(ctx, view().skipped()));
        app.get("/api/operations", ctx -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("forwarding_backlog", view().forwardingBacklog());
            body.put("dead_letters", view().deadLetters().size());
            body.put("board", view().notReadyReason() == null ? "up to date" : view().notReadyReason());
            sendJson(ctx, body);
        });
        app.exception(BoardException.class, (e, ctx) -> ctx.status(404).contentType("text/plain; charset=utf-8").result(e.getMessage()));
        app.exception(NotConnected.class, (e, ctx) -> ctx.status(503).contentType("text/plain; charset=utf-8").result("board starting"));
    }

    private static final class NotConnected extends RuntimeException {
        NotConnected() {
            super("board starting", null, false, false);
        }
    }

    private BoardView view() {
        BoardView v = view;
        if (v == null) {
            throw new NotConnected();
        }
        return v;
    }

    private void guard(Context ctx) {
        if (refusal.isPresent()) {
            ctx.status(403).contentType("text/plain; charset=utf-8").result(refusal.get());
            ctx.skipRemainingHandlers();
            return;
        }
        if (!access.required()) {
            ctx.attribute("board-user", "local");
            return;
        }
        Optional<String> user = access.authenticate(ctx.header("Authorization"));
        if (user.isEmpty()) {
            ctx.header("WWW-Authenticate", "Basic realm=\"ich-triage board\", charset=\"UTF-8\"");
            ctx.status(401).contentType("text/plain; charset=utf-8").result("authentication required");
            ctx.skipRemainingHandlers();
            return;
        }
        ctx.attribute("board-user", user.get());
    }

    private void page(Context ctx, String file) throws IOException {
        String type = PAGE_FILES.get(file);
        if (type == null) {
            ctx.status(404).result("no such page");
            return;
        }
        try (InputStream in = BoardRoutes.class.getResourceAsStream("/board/" + file)) {
            if (in == null) {
                ctx.status(404).result("no such page");
                return;
            }
            ctx.header("Cache-Control", "no-cache");
            ctx.header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'");
            ctx.contentType(type).result(in.readAllBytes());
        }
    }

    private void series(Context ctx) {
        String uid = ctx.pathParam("uid");
        BoardView.SeriesSnapshot s = view().series(uid).orElseThrow(() -> new BoardException("no series " + uid + " on the board"));
        Map<String, Object> body = new LinkedHashMap<>();
        ResultEvent latest = s.latest();
        if (latest != null) {
            body.put("event", visible(latest));
            body.put("priority", Priority.of(latest));
            body.put("revisions", s.revisions().stream().map(e -> Map.of("revision", e.revision(), "event_id", e.eventId(),
                    "created_at", e.createdAt(), "volume_ml", e.volume().ml(), "completion_reason", e.provenance().completionReason())).toList());
            body.put("history", view().history(latest.patient() == null ? null : latest.patient().key()));
            view().studyVerdict(latest.studyInstanceUid()).ifPresent(v -> body.put("study_verdict", v.patient() == null || includePatientNames
                    ? v : new org.ichtriage.events.StudyVerdict(v.schema(), v.studyInstanceUid(), v.revision(), v.createdAt(),
                    v.accessionNumber(), new ResultEvent.Patient(v.patient().key(), null, null), v.triageCategory(), v.ichDetected(),
                    v.volumeMl(), v.rule(), v.decidingSeries(), v.series())));
            body.put("outputs", s.outputs());
            try {
                SeriesImages.Loaded loaded = images.load(latest, s.outputs());
                body.put("slices", loaded.sliceInfos());
                body.put("key_image_count", loaded.keyImages().size());
                body.put("instance_records", loaded.trail());
            } catch (BoardException gone) {
                body.put("images_unavailable", gone.getMessage());
            }
        }
        body.put("forwarding", s.forwarding());
        body.put("dead_letters", s.deadLetters());
        sendJson(ctx, body);
    }

    private SeriesImages.Loaded loadedFor(Context ctx) {
        String uid = ctx.pathParam("uid");
        BoardView.SeriesSnapshot s = view().series(uid).orElseThrow(() -> new BoardException("no series " + uid + " on the board"));
        if (s.latest() == null) {
            throw new BoardException("series " + uid + " has no result");
        }
        return images.load(s.latest(), s.outputs());
    }

    private void slice(Context ctx) {
        SeriesImages.Loaded loaded = loadedFor(ctx);
        int index = index(ctx, loaded.slices().size());
        String windowName = Optional.ofNullable(ctx.queryParam("window")).orElse("brain");
        WindowPreset window = WindowPreset.fromWireName(windowName)
                .orElseThrow(() -> new BoardException("window '" + windowName + "' is not brain, subdural or bone"));
        boolean outline = !"false".equals(ctx.queryParam("outline"));
        log.info("board image: slice {} of event {} in {} window for {}", index, loaded.eventId(), window.wireName(),
                (String) ctx.attribute("board-user"));
        RgbImage img = SliceRenderer.render(loaded.slices().get(index), window, outline ? loaded.masks().get(index) : null);
        png(ctx, img);
    }

    private void keyImage(Context ctx) {
        SeriesImages.Loaded loaded = loadedFor(ctx);
        int index = index(ctx, loaded.keyImages().size());
        log.info("board image: key image {} of event {} for {}", index, loaded.eventId(), (String) ctx.attribute("board-user"));
        png(ctx, loaded.keyImages().get(index));
    }

    private static int index(Context ctx, int size) {
        String raw = ctx.pathParam("index");
        try {
            int i = Integer.parseInt(raw);
            if (i >= 0 && i < size) {
                return i;
            }
        } catch (NumberFormatException notANumber) {
            // answered below
        }
        throw new BoardException("image index '" + raw + "' is not in 0.." + (size - 1));
    }

    private static void png(Context ctx, RgbImage img) {
        ctx.header("Cache-Control", "private, max-age=300");
        ctx.contentType("image/png").result(PngWriter.write(img));
    }

    /** The row as this board may show it: without the name unless results.include-patient-name is on here. */
    private WorklistRow visible(WorklistRow row) {
        if (includePatientNames || row.study() == null || row.study().patientName() == null) {
            return row;
        }
        WorklistRow.Study st = row.study();
        return new WorklistRow(row.key(), row.priority(), row.priorityLabel(), row.time(), row.seriesInstanceUid(),
                new WorklistRow.Study(st.studyInstanceUid(), st.accessionNumber(), null, st.studyDescription(), st.seriesDescription()),
                row.finding(), row.problem(), row.studyVerdict());
    }

    private ResultEvent visible(ResultEvent e) {
        if (includePatientNames || e.patient() == null) {
            return e;
        }
        return e.toBuilder().patient(new ResultEvent.Patient(e.patient().key(), null, null)).build();
    }

    private static void sendJson(Context ctx, Object body) {
        ctx.contentType("application/json").result(json(body));
    }

    private static String json(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("board JSON", e);
        }
    }

    /** Ends every open event stream (the service is stopping). */
    public void closeStreams() {
        for (SseClient c : List.copyOf(streams)) {
            c.close();
        }
    }
}
