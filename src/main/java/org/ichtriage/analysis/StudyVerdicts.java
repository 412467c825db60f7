package org.ichtriage.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.ichtriage.events.ResultEvent;
import org.ichtriage.events.StudyVerdict;
import org.ichtriage.events.TriageCategory;

/**
 * The study's verdict from its series' results. The most urgent series decides: for triage, a
 * positive thin series must not be hidden by a negative thick one of the same study, and the reader
 * sees every series' own finding beside it.
 */
public final class StudyVerdicts {
    private StudyVerdicts() {}

    static final Comparator<StudyVerdict.SeriesFinding> URGENCY = Comparator
            .comparing((StudyVerdict.SeriesFinding f) -> TriageCategory.parse(f.triageCategory()))
            .thenComparing(StudyVerdict.SeriesFinding::largeVolume)
            .thenComparingDouble(StudyVerdict.SeriesFinding::volumeMl)
            .thenComparing(StudyVerdict.SeriesFinding::createdAt);

    public static StudyVerdict.SeriesFinding findingOf(ResultEvent e) {
        String category = e.triageCategory() != null ? e.triageCategory()
                : TriageCategory.derive(e.flags().ichDetected(), e.flags().highUncertainty()).wire();
        return new StudyVerdict.SeriesFinding(e.seriesInstanceUid(), e.eventId(), e.revision(), e.seriesDescription(),
                e.volume().sliceCount(), category, e.flags().ichDetected(), e.flags().largeVolume(), e.volume().ml(), e.createdAt());
    }

    /**
     * @param findings the latest finding of each analysed series of the study (at least one)
     * @param latest   the result that caused this verdict: its study, accession and patient
     */
    public static StudyVerdict verdict(List<StudyVerdict.SeriesFinding> findings, ResultEvent latest, int revision, String now) {
        if (findings.isEmpty()) {
            throw new IllegalArgumentException("a study verdict needs at least one series");
        }
        List<StudyVerdict.SeriesFinding> ordered = new ArrayList<>(findings);
        ordered.sort(Comparator.comparing(StudyVerdict.SeriesFinding::seriesInstanceUid));
        StudyVerdict.SeriesFinding deciding = ordered.stream().max(URGENCY).orElseThrow();
        return new StudyVerdict(StudyVerdict.SCHEMA, latest.studyInstanceUid(), revision, now, latest.accessionNumber(), latest.patient(),
                deciding.triageCategory(), deciding.ichDetected(), deciding.volumeMl(), StudyVerdict.RULE_MOST_URGENT, deciding,
                List.copyOf(ordered));
    }
}
