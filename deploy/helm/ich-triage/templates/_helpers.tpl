{{/* The selector labels of one role; the same as deploy/k8s, so either can take over the other's pods. */}}
{{- define "ich-triage.selectorLabels" -}}
app.kubernetes.io/name: ich-triage
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "ich-triage.labels" -}}
{{ include "ich-triage.selectorLabels" . }}
helm.sh/chart: {{ .root.Chart.Name }}-{{ .root.Chart.Version }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{/*
One role's Deployment. Argument: a dict with
  root       the chart's top context
  component  the app.kubernetes.io/component label and name suffix (ingest, worker-cpu, ...)
  role       the value of `ich-triage run --role`
  values     the role's block of values.yaml
  repository the image repository
  dicom      true for the role that listens for DICOM
  secretEnv  secret variables of this role beyond values.secretEnv (a list)
  tlsSecret  a Secret to mount at /etc/ich-triage/tls, or ""
*/}}
{{- define "ich-triage.deployment" -}}
{{- $root := .root -}}
{{- $v := .values -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ich-triage-{{ .component }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "ich-triage.labels" . | nindent 4 }}
spec:
  replicas: {{ $v.replicas }}
  selector:
    matchLabels:
      {{- include "ich-triage.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "ich-triage.selectorLabels" . | nindent 8 }}
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ $root.Values.config.ICH_HTTP_PORT | quote }}
        prometheus.io/path: /metrics
        # Settings are read at start: a changed ConfigMap rolls the pods.
        checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
    spec:
      automountServiceAccountToken: false
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      terminationGracePeriodSeconds: {{ $v.terminationGracePeriodSeconds }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: ich-triage
          image: "{{ .repository }}:{{ $root.Values.image.tag | default $root.Chart.AppVersion }}"
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: ["run", "--role", {{ .role | quote }}]
          ports:
            {{- if .dicom }}
            - { name: dicom, containerPort: {{ $root.Values.config.ICH_DICOM_PORT }}, protocol: TCP }
            {{- end }}
            - { name: http, containerPort: {{ $root.Values.config.ICH_HTTP_PORT }}, protocol: TCP }
          envFrom:
            - configMapRef: { name: ich-triage-config }
          env:
            - name: JAVA_OPTS
              value: {{ $v.javaOpts | quote }}
            {{- range (concat .secretEnv $root.Values.kafkaSecretEnv $v.secretEnv) }}
            - name: {{ .name }}
              valueFrom: { secretKeyRef: { name: {{ .secret | default $root.Values.secrets.name }}, key: {{ .key }}{{ if .optional }}, optional: true{{ end }} } }
            {{- end }}
            {{- range $name, $value := $v.env }}
            - name: {{ $name }}
              value: {{ $value | quote }}
            {{- end }}
          livenessProbe:
            {{- toYaml $root.Values.probes.liveness | nindent 12 }}
          readinessProbe:
            {{- toYaml $root.Values.probes.readiness | nindent 12 }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.containerSecurityContext | nindent 12 }}
          volumeMounts:
            - { name: state, mountPath: {{ $root.Values.config.ICH_STATE_DIR }} }
            - { name: tmp, mountPath: /tmp }
            {{- if $root.Values.tls.kafka.secretName }}
            - { name: kafka-tls, mountPath: /etc/ich-triage/kafka-tls, readOnly: true }
            {{- end }}
            {{- if .tlsSecret }}
            - { name: tls, mountPath: /etc/ich-triage/tls, readOnly: true }
            {{- end }}
      volumes:
        - name: state
          emptyDir: { sizeLimit: {{ $v.stateSizeLimit }} }
        - name: tmp
          emptyDir: { sizeLimit: {{ $v.tmpSizeLimit }} }
        {{- if $root.Values.tls.kafka.secretName }}
        - name: kafka-tls
          secret: { secretName: {{ $root.Values.tls.kafka.secretName }}, optional: true }
        {{- end }}
        {{- if .tlsSecret }}
        - name: tls
          secret: { secretName: {{ .tlsSecret }} }
        {{- end }}
{{- end }}

{{/* A PodDisruptionBudget for one role when its disruptionBudget is not empty. Argument as above. */}}
{{- define "ich-triage.pdb" -}}
{{- if .values.disruptionBudget }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ich-triage-{{ .component }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "ich-triage.labels" . | nindent 4 }}
spec:
  {{- toYaml .values.disruptionBudget | nindent 2 }}
  selector:
    matchLabels:
      {{- include "ich-triage.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end }}
