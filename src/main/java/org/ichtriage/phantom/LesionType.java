package org.ichtriage.phantom;

/** The five hemorrhage kinds of the training generator (training/ichtrain/phantoms.py, LESION_TYPES). */
public enum LesionType {
    /** Intraparenchymal: lobulated clot in deep brain. */
    IPH,
    /** Subdural: wide flat crescent under the inner table. */
    SDH,
    /** Epidural: narrow thick lens under the inner table. */
    EDH,
    /** Subarachnoid: blood filling the CSF spaces near a seed point. */
    SAH,
    /** Intraventricular: blood layering in the dependent part of a lateral ventricle. */
    IVH
}
