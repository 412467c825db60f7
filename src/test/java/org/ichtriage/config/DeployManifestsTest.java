package org.ichtriage.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Structural checks of deploy/k8s, deploy/prometheus and docker-compose.yml. No schema validator
 * (kubeconform, kubeval) can be had on the build machines and kubectl validates only against a live
 * API server, so this parses every document and checks what matters to us: probes, GPU request,
 * secrets by reference only, and that every ICH_* variable is a real setting whose value the
 * configuration parser accepts.
 */
class DeployManifestsTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Map<String, Setting> BY_ENV = Settings.ALL.stream()
            .collect(Collectors.toMap(Setting::envVar, s -> s));
    /** Read by ConfigOptions, not a setting of its own. */
    private static final Set<String> NON_SETTING_ICH_VARS = Set.of("ICH_CONFIG");
    private static final Map<String, String> API_VERSIONS = Map.of(
            "Namespace", "v1", "ConfigMap", "v1", "Service", "v1", "Deployment", "apps/v1",
            "PodDisruptionBudget", "policy/v1", "Kustomization", "kustomize.config.k8s.io/v1beta1");

    private record Doc(Path file, Map<String, Object> body) {
        String kind() {
            return (String) body.get("kind");
        }

        String name() {
            return (String) map(body, "metadata").get("name");
        }

        @Override
        public String toString() {
            return ROOT.relativize(file) + " " + kind() + "/" + (body.containsKey("metadata") ? name() : "");
        }
    }

    private static List<Doc> k8s;

    @BeforeAll
    static void load() throws IOException {
        k8s = loadAll(ROOT.resolve("deploy/k8s"));
        assertFalse(k8s.isEmpty(), "no manifests under deploy/k8s");
    }

    private static List<Doc> loadAll(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
        List<Doc> docs = new ArrayList<>();
        for (Path f : files) {
            docs.addAll(parse(f));
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    private static List<Doc> parse(Path f) throws IOException {
        List<Doc> docs = new ArrayList<>();
        Yaml yaml = new Yaml(new LoaderOptions());
        for (Object o : yaml.loadAll(Files.readString(f))) {
            if (o == null) {
                continue;
            }
            assertTrue(o instanceof Map, f + ": a document is not a mapping");
            docs.add(new Doc(f, (Map<String, Object>) o));
        }
        assertFalse(docs.isEmpty(), f + " holds no document");
        return docs;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> m, String key) {
        Object v = m.get(key);
        assertTrue(v instanceof Map, "'" + key + "' is missing or not a mapping in " + m.keySet());
        return (Map<String, Object>) v;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> m, String key) {
        Object v = m.get(key);
        assertTrue(v instanceof List, "'" + key + "' is missing or not a list in " + m.keySet());
        return (List<Map<String, Object>>) v;
    }

    private static List<Doc> ofKind(String kind) {
        return k8s.stream().filter(d -> kind.equals(d.kind())).toList();
    }

    private static Doc deployment(String name) {
        return ofKind("Deployment").stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no Deployment " + name));
    }

    private static Map<String, Object> podSpec(Doc d) {
        return map(map(map(d.body(), "spec"), "template"), "spec");
    }

    private static Map<String, Object> onlyContainer(Doc d) {
        List<Map<String, Object>> cs = list(podSpec(d), "containers");
        assertEquals(1, cs.size(), d + ": one container expected");
        return cs.get(0);
    }

    @Test
    void everyDocumentIsAKnownKindWithItsApiVersionAndName() {
        for (Doc d : k8s) {
            String kind = d.kind();
            assertNotNull(kind, d + ": no kind");
            assertTrue(API_VERSIONS.containsKey(kind), d + ": unexpected kind " + kind + " (a Secret must never be committed)");
            assertEquals(API_VERSIONS.get(kind), d.body().get("apiVersion"), d + ": apiVersion");
            if (!kind.equals("Kustomization")) {
                assertTrue(d.name() != null && d.name().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"), d + ": bad metadata.name");
            }
        }
    }

    @Test
    void kustomizationListsEveryManifest() throws IOException {
        Doc k = ofKind("Kustomization").get(0);
        Set<String> listed = new TreeSet<>((List<String>) (List<?>) k.body().get("resources"));
        Set<String> files;
        try (Stream<Path> s = Files.list(ROOT.resolve("deploy/k8s"))) {
            files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(files, listed);
    }

    @Test
    void theFourRolesAreDeployedWithProbesOnHealth() {
        Map<String, String> roleOf = Map.of("ich-triage-ingest", "ingest", "ich-triage-worker-cpu", "worker",
                "ich-triage-worker-gpu", "worker", "ich-triage-forwarder", "forwarder", "ich-triage-board", "board");
        assertEquals(roleOf.keySet(), ofKind("Deployment").stream().map(Doc::name).collect(Collectors.toSet()));
        for (Doc d : ofKind("Deployment")) {
            Map<String, Object> spec = map(d.body(), "spec");
            Map<String, Object> labels = map(map(map(spec, "template"), "metadata"), "labels");
            assertTrue(labels.entrySet().containsAll(map(map(spec, "selector"), "matchLabels").entrySet()),
                    d + ": selector does not match the pod labels");
            Map<String, Object> c = onlyContainer(d);
            assertEquals(List.of("run", "--role", roleOf.get(d.name())), c.get("args"), d + ": args");
            assertProbe(d, c, "livenessProbe", "/health/live");
            assertProbe(d, c, "readinessProbe", "/health/ready");
            Map<String, Object> annotations = map(map(map(spec, "template"), "metadata"), "annotations");
            assertEquals("true", annotations.get("prometheus.io/scrape"), d + ": scrape annotation");
            assertEquals("8080", annotations.get("prometheus.io/port"), d + ": scrape port annotation");
            assertEquals("/metrics", annotations.get("prometheus.io/path"), d + ": scrape path annotation");
        }
    }

    private static void assertProbe(Doc d, Map<String, Object> container, String probe, String path) {
        Map<String, Object> get = map(map(container, probe), "httpGet");
        assertEquals(path, get.get("path"), d + ": " + probe + " path");
        assertEquals(8080, containerPort(container, get.get("port")), d + ": " + probe + " port");
    }

    /** A port given by name or number, resolved against the container's declared ports. */
    private static int containerPort(Map<String, Object> container, Object port) {
        for (Map<String, Object> p : list(container, "ports")) {
            if (port.equals(p.get("name")) || port.equals(p.get("containerPort"))) {
                return (Integer) p.get("containerPort");
            }
        }
        throw new AssertionError("port " + port + " is not declared by the container");
    }

    @Test
    void podsRunAsNonRootOnAReadOnlyRootWithStateOnAnEmptyDir() {
        for (Doc d : ofKind("Deployment")) {
            Map<String, Object> pod = podSpec(d);
            Map<String, Object> psc = map(pod, "securityContext");
            assertEquals(Boolean.TRUE, psc.get("runAsNonRoot"), d + ": runAsNonRoot");
            assertTrue(((Integer) psc.get("runAsUser")) > 0, d + ": runAsUser must be a non-root uid");
            Map<String, Object> c = onlyContainer(d);
            Map<String, Object> sc = map(c, "securityContext");
            assertEquals(Boolean.FALSE, sc.get("allowPrivilegeEscalation"), d + ": allowPrivilegeEscalation");
            assertEquals(Boolean.TRUE, sc.get("readOnlyRootFilesystem"), d + ": readOnlyRootFilesystem");
            assertEquals(List.of("ALL"), map(sc, "capabilities").get("drop"), d + ": capabilities");
            Map<String, String> emptyDirs = new HashMap<>();
            for (Map<String, Object> v : list(pod, "volumes")) {
                if (v.containsKey("emptyDir")) {
                    emptyDirs.put((String) v.get("name"), "emptyDir");
                }
            }
            Set<String> writable = list(c, "volumeMounts").stream().filter(m -> emptyDirs.containsKey((String) m.get("name")))
                    .map(m -> (String) m.get("mountPath")).collect(Collectors.toSet());
            String stateDir = effectiveEnv(d).get("ICH_STATE_DIR");
            assertTrue(writable.contains(stateDir), d + ": state.dir " + stateDir + " is not on an emptyDir: " + writable);
            assertTrue(writable.contains("/tmp"), d + ": /tmp is not writable");
            Map<String, Object> resources = map(c, "resources");
            assertTrue(map(resources, "requests").containsKey("cpu") && map(resources, "requests").containsKey("memory"),
                    d + ": cpu and memory requests");
            assertTrue(map(resources, "limits").containsKey("memory"), d + ": memory limit");
        }
    }

    @Test
    void gpuWorkerRequestsOneGpuAndRunsTheCudaImageWithCuda() {
        Doc gpu = deployment("ich-triage-worker-gpu");
        Map<String, Object> c = onlyContainer(gpu);
        assertEquals(1, map(map(c, "resources"), "limits").get("nvidia.com/gpu"));
        assertTrue(((String) c.get("image")).contains("cuda"), "GPU worker image: " + c.get("image"));
        IchConfig cfg = IchConfig.load(null, effectiveEnv(gpu), Map.of("role", "worker"));
        assertEquals(IchConfig.Provider.CUDA, cfg.model().provider());
        for (String other : List.of("ich-triage-worker-cpu", "ich-triage-ingest", "ich-triage-forwarder")) {
            Map<String, Object> limits = map(map(onlyContainer(deployment(other)), "resources"), "limits");
            assertFalse(limits.containsKey("nvidia.com/gpu"), other + " must not hold a GPU");
        }
    }

    /** ConfigMap data from envFrom, then the container's literal env; secrets stand in as a 32-character value. */
    private static Map<String, String> effectiveEnv(Doc d) {
        Map<String, Object> c = onlyContainer(d);
        Map<String, String> env = new LinkedHashMap<>();
        for (Map<String, Object> from : list(c, "envFrom")) {
            String cmName = (String) map(from, "configMapRef").get("name");
            Doc cm = ofKind("ConfigMap").stream().filter(x -> x.name().equals(cmName)).findFirst()
                    .orElseThrow(() -> new AssertionError(d + ": envFrom names a ConfigMap that is not in deploy/k8s: " + cmName));
            map(cm.body(), "data").forEach((k, v) -> env.put(k, String.valueOf(v)));
        }
        for (Map<String, Object> e : list(c, "env")) {
            String name = (String) e.get("name");
            if (e.containsKey("value")) {
                env.put(name, String.valueOf(e.get("value")));
            } else {
                env.put(name, "x".repeat(32));
            }
        }
        return env;
    }

    @Test
    void everyIchVariableIsARealSettingAndTheirValuesParse() {
        for (Doc cm : ofKind("ConfigMap")) {
            for (Map.Entry<String, Object> e : map(cm.body(), "data").entrySet()) {
                assertKnownVariable(cm.toString(), e.getKey());
                Setting s = BY_ENV.get(e.getKey());
                assertFalse(s != null && s.secret(), cm + ": secret setting " + e.getKey() + " must come from a Secret");
            }
        }
        for (Doc d : ofKind("Deployment")) {
            for (Map<String, Object> e : list(onlyContainer(d), "env")) {
                assertKnownVariable(d.toString(), (String) e.get("name"));
            }
            Map<String, String> env = effectiveEnv(d);
            String role = ((List<?>) onlyContainer(d).get("args")).get(2).toString();
            IchConfig cfg = IchConfig.load(null, env, Map.of("role", role));
            // The defaults bind loopback, which nothing outside the pod can reach.
            assertEquals("0.0.0.0", cfg.http().bindHost(), d + ": http.bind-host");
            assertEquals("0.0.0.0", cfg.dicom().bindHost(), d + ": dicom.bind-host");
            assertEquals(8080, cfg.http().port(), d + ": http.port");
            assertFalse(cfg.kafka().embedded(), d + ": pods must use the external Kafka cluster");
        }
    }

    private static void assertKnownVariable(String where, String name) {
        if (name.startsWith("ICH_")) {
            assertTrue(BY_ENV.containsKey(name) || NON_SETTING_ICH_VARS.contains(name),
                    where + ": " + name + " is not a setting of `ich-triage config`");
        }
    }

    @Test
    void secretsAreReferencedNeverWrittenDown() {
        for (Doc d : ofKind("Deployment")) {
            for (Map<String, Object> e : list(onlyContainer(d), "env")) {
                String name = (String) e.get("name");
                Setting s = BY_ENV.get(name);
                boolean secretLike = (s != null && s.secret()) || name.matches(".*(PASSWORD|SECRET|JAAS).*");
                if (secretLike) {
                    assertFalse(e.containsKey("value"), d + ": " + name + " has a literal value");
                    Map<String, Object> ref = map(map(e, "valueFrom"), "secretKeyRef");
                    assertTrue(!((String) ref.get("name")).isEmpty() && !((String) ref.get("key")).isEmpty(), d + ": " + name);
                }
            }
        }
        // Workers must share one patient key: a per-pod key file on an emptyDir would split every history.
        for (String worker : List.of("ich-triage-worker-cpu", "ich-triage-worker-gpu")) {
            Map<String, Object> e = list(onlyContainer(deployment(worker)), "env").stream()
                    .filter(x -> "ICH_RESULTS_PATIENT_KEY_SECRET".equals(x.get("name"))).findFirst()
                    .orElseThrow(() -> new AssertionError(worker + ": no ICH_RESULTS_PATIENT_KEY_SECRET"));
            Map<String, Object> ref = map(map(e, "valueFrom"), "secretKeyRef");
            assertFalse(Boolean.TRUE.equals(ref.get("optional")), worker + ": the patient key secret must be required");
        }
    }

    @Test
    void dicomServiceReachesTheIngestListener() {
        List<Doc> services = ofKind("Service");
        assertEquals(1, services.size());
        Map<String, Object> spec = map(services.get(0).body(), "spec");
        Map<String, Object> port = list(spec, "ports").get(0);
        assertEquals(11112, port.get("port"));
        assertEquals(11112, port.get("targetPort"));
        Doc ingest = deployment("ich-triage-ingest");
        Map<String, Object> podLabels = map(map(map(map(ingest.body(), "spec"), "template"), "metadata"), "labels");
        assertTrue(podLabels.entrySet().containsAll(map(spec, "selector").entrySet()), "Service selector misses the ingest pods");
        assertEquals(11112, containerPort(onlyContainer(ingest), 11112));
        for (Doc d : ofKind("Deployment")) {
            if (d != ingest) {
                Map<String, Object> labels = map(map(map(map(d.body(), "spec"), "template"), "metadata"), "labels");
                assertFalse(labels.entrySet().containsAll(map(spec, "selector").entrySet()), d + " would receive DICOM traffic");
            }
        }
    }

    @Test
    void everyWorkerPoolHasADisruptionBudget() {
        for (String worker : List.of("ich-triage-worker-cpu", "ich-triage-worker-gpu")) {
            Map<String, Object> labels = map(map(map(map(deployment(worker).body(), "spec"), "template"), "metadata"), "labels");
            boolean covered = ofKind("PodDisruptionBudget").stream().anyMatch(p -> {
                Map<String, Object> spec = map(p.body(), "spec");
                return (spec.containsKey("maxUnavailable") || spec.containsKey("minAvailable"))
                        && labels.entrySet().containsAll(map(map(spec, "selector"), "matchLabels").entrySet());
            });
            assertTrue(covered, worker + " has no PodDisruptionBudget");
        }
    }

    @Test
    void prometheusScrapesTheAnnotatedPodsAndAlertsOnDocumentedMetrics() throws IOException {
        Map<String, Object> prom = parse(ROOT.resolve("deploy/prometheus/prometheus.yml")).get(0).body();
        assertTrue(((List<?>) prom.get("rule_files")).contains("rules.yml"));
        Map<String, Object> job = list(prom, "scrape_configs").stream().filter(j -> "ich-triage".equals(j.get("job_name")))
                .findFirst().orElseThrow(() -> new AssertionError("no ich-triage scrape job"));
        assertTrue(list(job, "relabel_configs").stream().anyMatch(r ->
                        ((List<?>) r.get("source_labels")).contains("__meta_kubernetes_pod_annotation_prometheus_io_scrape")
                                && "keep".equals(r.get("action"))),
                "the scrape job must keep only annotated pods");

        Map<String, Object> rules = parse(ROOT.resolve("deploy/prometheus/rules.yml")).get(0).body();
        String docs = Files.readString(ROOT.resolve("docs/operations.md"));
        Set<String> alerts = new TreeSet<>();
        StringBuilder allExprs = new StringBuilder();
        for (Map<String, Object> group : list(rules, "groups")) {
            for (Map<String, Object> r : list(group, "rules")) {
                String alert = (String) r.get("alert");
                assertTrue(alerts.add(alert), "duplicate alert " + alert);
                String expr = (String) r.get("expr");
                assertTrue(expr != null && !expr.isBlank(), alert + ": no expr");
                assertTrue(Set.of("warning", "critical").contains(map(r, "labels").get("severity")), alert + ": severity");
                assertNotNull(map(r, "annotations").get("summary"), alert + ": summary");
                assertEquals(countOf(expr, '('), countOf(expr, ')'), alert + ": unbalanced parentheses");
                Matcher m = Pattern.compile("\\bich_[a-z_]+").matcher(expr);
                while (m.find()) {
                    String metric = m.group().replaceAll("_(bucket|sum|count)$", "");
                    assertTrue(docs.contains("`" + metric), alert + ": metric " + metric + " is not listed in docs/operations.md");
                }
                allExprs.append(expr).append('\n');
            }
        }
        for (String needed : List.of("ich_deadletter_total", "ich_forward_backlog", "kube_deployment_status_replicas_unavailable")) {
            assertTrue(allExprs.toString().contains(needed), "no alert on " + needed);
        }
    }

    private static long countOf(String s, char c) {
        return s.chars().filter(x -> x == c).count();
    }

    @Test
    void dockerComposeRunsEveryRoleWithRealSettings() throws IOException {
        Map<String, Object> compose = parse(ROOT.resolve("docker-compose.yml")).get(0).body();
        Map<String, Object> services = map(compose, "services");
        assertTrue(services.keySet().containsAll(Set.of("kafka", "ingest", "worker", "forwarder", "orthanc")), services.keySet().toString());
        Set<String> roles = new TreeSet<>();
        for (Map.Entry<String, Object> e : services.entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> svc = (Map<String, Object>) e.getValue();
            Object command = svc.get("command");
            if (!(command instanceof List<?> cmd) || cmd.isEmpty() || !"run".equals(cmd.get(0))) {
                continue;
            }
            assertEquals("--role", cmd.get(1), e.getKey());
            String role = cmd.get(2).toString();
            roles.add(role);
            Map<String, String> env = new LinkedHashMap<>();
            Object environment = svc.get("environment");
            if (environment instanceof Map<?, ?> m) {
                m.forEach((k, v) -> env.put(k.toString(), String.valueOf(v)));
            } else if (environment instanceof List<?> l) {
                l.forEach(x -> {
                    String[] kv = x.toString().split("=", 2);
                    env.put(kv[0], kv.length > 1 ? kv[1] : "");
                });
            }
            for (Map.Entry<String, String> v : env.entrySet()) {
                assertKnownVariable("docker-compose.yml " + e.getKey(), v.getKey());
                Setting s = BY_ENV.get(v.getKey());
                assertFalse(s != null && s.secret() && !v.getValue().startsWith("${"),
                        "docker-compose.yml " + e.getKey() + ": secret " + v.getKey() + " must come from the host environment");
            }
            try {
                IchConfig cfg = IchConfig.load(null, env, Map.of("role", role));
                assertFalse(cfg.kafka().embedded(), e.getKey() + " must use the compose Kafka");
            } catch (RuntimeException ex) {
                fail("docker-compose.yml " + e.getKey() + ": " + ex.getMessage());
            }
        }
        assertEquals(new TreeSet<>(Set.of("ingest", "worker", "forwarder")), roles);
    }
}
