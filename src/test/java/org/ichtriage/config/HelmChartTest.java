package org.ichtriage.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
 * The Helm chart in deploy/helm/ich-triage against the kustomize manifests in deploy/k8s. No helm
 * binary can be had from Debian on the build machines, so nothing is rendered: Chart.yaml and
 * values.yaml are parsed, every value the templates read must exist, the templates' blocks must
 * balance, and each role's values must give what its kustomize Deployment has (args, image,
 * replicas, resources, probes, security contexts, environment names and sources, volumes sizes,
 * disruption budget, the DICOM Service), with the ConfigMap data equal to values.config.
 */
class HelmChartTest {
    private static final Path CHART = Path.of("deploy/helm/ich-triage");
    private static final Path K8S = Path.of("deploy/k8s");
    private static final List<String> ROLE_BLOCKS = List.of("ingest", "workerCpu", "workerGpu", "forwarder", "board");
    private static final Pattern VALUES_PATH = Pattern.compile("\\.Values((?:\\.[A-Za-z_][A-Za-z0-9_]*)+)");
    /** What the shared Deployment template reads from a role's block. */
    private static final Pattern ROLE_VALUE = Pattern.compile("\\$v\\.([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern ROLE_CALL = Pattern.compile(
            "\"component\" \"([a-z-]+)\" \"role\" \"([a-z]+)\" \"values\" \\.Values\\.([A-Za-z]+) \"repository\" \\.Values\\.image\\.([A-Za-z]+)");

    private static Map<String, Object> chart;
    private static Map<String, Object> values;
    private static Map<String, String> templates;
    private static List<Map<String, Object>> k8s;

    @BeforeAll
    static void load() throws IOException {
        chart = yaml(Files.readString(CHART.resolve("Chart.yaml")));
        values = yaml(Files.readString(CHART.resolve("values.yaml")));
        templates = new TreeMap<>();
        try (Stream<Path> s = Files.list(CHART.resolve("templates"))) {
            for (Path p : s.sorted().toList()) {
                templates.put(p.getFileName().toString(), Files.readString(p));
            }
        }
        k8s = new ArrayList<>();
        try (Stream<Path> s = Files.list(K8S)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (Object o : new Yaml(new LoaderOptions()).loadAll(Files.readString(p))) {
                    if (o != null) {
                        k8s.add(cast(o));
                    }
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }

    private static Map<String, Object> yaml(String text) {
        Object o = new Yaml(new LoaderOptions()).load(text);
        assertTrue(o instanceof Map, "not a mapping");
        return cast(o);
    }

    private static Map<String, Object> map(Map<String, Object> m, String key) {
        Object v = m.get(key);
        assertTrue(v instanceof Map, "'" + key + "' is missing or not a mapping in " + m.keySet());
        return cast(v);
    }

    private static List<Map<String, Object>> list(Map<String, Object> m, String key) {
        Object v = m.get(key);
        assertTrue(v instanceof List, "'" + key + "' is missing or not a list in " + m.keySet());
        return cast(v);
    }

    private static Map<String, Object> k8s(String kind, String name) {
        return k8s.stream().filter(d -> kind.equals(d.get("kind")) && name.equals(map(d, "metadata").get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("deploy/k8s has no " + kind + " " + name));
    }

    /** The roles as the chart's templates call the shared Deployment: component -> [role, values block, image key]. */
    private static Map<String, List<String>> roleCalls() {
        Map<String, List<String>> calls = new TreeMap<>();
        for (String text : templates.values()) {
            Matcher m = ROLE_CALL.matcher(text);
            while (m.find()) {
                calls.put(m.group(1), List.of(m.group(2), m.group(3), m.group(4)));
            }
        }
        return calls;
    }

    @Test
    void chartIsAnApplicationChartWhoseAppVersionIsTheKustomizeImageTag() {
        assertEquals("v2", chart.get("apiVersion"));
        assertEquals("ich-triage", chart.get("name"));
        assertEquals("application", chart.get("type"));
        assertTrue(String.valueOf(chart.get("version")).matches("\\d+\\.\\d+\\.\\d+"), "version is SemVer: " + chart.get("version"));
        Map<String, Object> kustomization = k8s.stream().filter(d -> "Kustomization".equals(d.get("kind"))).findFirst().orElseThrow();
        for (Map<String, Object> image : list(kustomization, "images")) {
            assertEquals(image.get("newTag"), chart.get("appVersion"), "the image tag of " + image.get("name"));
        }
        Map<String, Object> image = map(values, "image");
        assertEquals("ich-triage", image.get("repository"));
        assertEquals("ich-triage-cuda", image.get("cudaRepository"));
        assertEquals("", image.get("tag"), "an empty tag means the appVersion");
    }

    @Test
    void everyValueTheTemplatesReadIsInValuesYaml() {
        Set<String> missing = new TreeSet<>();
        for (Map.Entry<String, String> t : templates.entrySet()) {
            Matcher m = VALUES_PATH.matcher(t.getValue());
            while (m.find()) {
                Object at = values;
                for (String key : m.group(1).substring(1).split("\\.")) {
                    if (!(at instanceof Map<?, ?> mm) || !mm.containsKey(key)) {
                        missing.add(t.getKey() + ": .Values" + m.group(1));
                        break;
                    }
                    at = mm.get(key);
                }
            }
        }
        assertEquals(Set.of(), missing);
        Set<String> read = new TreeSet<>();
        Matcher m = ROLE_VALUE.matcher(templates.get("_helpers.tpl"));
        while (m.find()) {
            read.add(m.group(1));
        }
        assertTrue(read.containsAll(Set.of("replicas", "resources", "javaOpts", "env", "secretEnv")), "read: " + read);
        for (String role : ROLE_BLOCKS) {
            Set<String> lacking = new TreeSet<>(read);
            lacking.removeAll(map(values, role).keySet());
            assertEquals(Set.of(), lacking, "values." + role + " lacks keys the Deployment template reads");
            assertTrue(map(values, role).containsKey("enabled"), "values." + role + ".enabled");
            assertTrue(map(values, role).containsKey("disruptionBudget"), "values." + role + ".disruptionBudget (the pdb template reads it)");
        }
    }

    @Test
    void templateBlocksBalance() {
        Pattern action = Pattern.compile("\\{\\{-?\\s*(/\\*.*?\\*/|[^}]*?)\\s*-?}}", Pattern.DOTALL);
        for (Map.Entry<String, String> t : templates.entrySet()) {
            String text = t.getValue();
            assertEquals(count(text, "{{"), count(text, "}}"), t.getKey() + ": unbalanced {{ }}");
            Deque<String> open = new ArrayDeque<>();
            Matcher m = action.matcher(text);
            while (m.find()) {
                String a = m.group(1).trim();
                String word = a.split("[\\s(]", 2)[0];
                if (Set.of("if", "range", "with", "define").contains(word)) {
                    open.push(word + " at " + m.start());
                } else if (word.equals("end")) {
                    assertFalse(open.isEmpty(), t.getKey() + ": {{ end }} at " + m.start() + " closes nothing");
                    open.pop();
                }
            }
            assertEquals(List.of(), List.copyOf(open), t.getKey() + ": blocks left open");
        }
    }

    private static int count(String text, String token) {
        int n = 0;
        for (int i = text.indexOf(token); i >= 0; i = text.indexOf(token, i + token.length())) {
            n++;
        }
        return n;
    }

    @Test
    void theChartHasTheRolesOfTheKustomizeManifestsWithTheirArgsAndImages() {
        Map<String, List<String>> calls = roleCalls();
        Set<String> kustomizeComponents = k8s.stream().filter(d -> "Deployment".equals(d.get("kind")))
                .map(d -> ((String) map(d, "metadata").get("name")).substring("ich-triage-".length()))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(kustomizeComponents, calls.keySet(), "the same roles");
        assertEquals(new TreeSet<>(ROLE_BLOCKS), calls.values().stream().map(c -> c.get(1)).collect(Collectors.toCollection(TreeSet::new)));
        for (Map.Entry<String, List<String>> c : calls.entrySet()) {
            Map<String, Object> container = container(k8s("Deployment", "ich-triage-" + c.getKey()));
            assertEquals(container.get("args"), List.of("run", "--role", c.getValue().get(0)), c.getKey() + ": args");
            assertEquals(container.get("image"), map(values, "image").get(c.getValue().get(2)), c.getKey() + ": image repository");
            assertEquals(Boolean.TRUE, map(values, c.getValue().get(1)).get("enabled"), c.getKey() + " is on by default, as in kustomize");
        }
    }

    private static Map<String, Object> podSpec(Map<String, Object> deployment) {
        return map(map(map(deployment, "spec"), "template"), "spec");
    }

    private static Map<String, Object> container(Map<String, Object> deployment) {
        List<Map<String, Object>> cs = list(podSpec(deployment), "containers");
        assertEquals(1, cs.size());
        return cs.get(0);
    }

    @Test
    void eachRoleDefaultsToWhatKustomizeApplies() {
        for (Map.Entry<String, List<String>> c : roleCalls().entrySet()) {
            String where = c.getKey();
            Map<String, Object> d = k8s("Deployment", "ich-triage-" + where);
            Map<String, Object> v = map(values, c.getValue().get(1));
            Map<String, Object> pod = podSpec(d);
            Map<String, Object> container = container(d);
            assertEquals(map(d, "spec").get("replicas"), v.get("replicas"), where + ": replicas");
            assertEquals(container.get("resources"), v.get("resources"), where + ": resources");
            assertEquals(pod.get("terminationGracePeriodSeconds"), v.get("terminationGracePeriodSeconds"), where + ": grace period");
            assertEquals(pod.getOrDefault("tolerations", List.of()), v.get("tolerations"), where + ": tolerations");
            assertEquals(pod.get("securityContext"), values.get("podSecurityContext"), where + ": pod security context");
            assertEquals(container.get("securityContext"), values.get("containerSecurityContext"), where + ": container security context");
            assertEquals(container.get("livenessProbe"), map(values, "probes").get("liveness"), where + ": liveness probe");
            assertEquals(container.get("readinessProbe"), map(values, "probes").get("readiness"), where + ": readiness probe");
            Map<String, Object> volumes = new HashMap<>();
            list(pod, "volumes").forEach(vol -> volumes.put((String) vol.get("name"), vol));
            assertEquals(v.get("stateSizeLimit"), map(map(volumes, "state"), "emptyDir").get("sizeLimit"), where + ": state size");
            assertEquals(v.get("tmpSizeLimit"), map(map(volumes, "tmp"), "emptyDir").get("sizeLimit"), where + ": tmp size");
            assertEquals(map(map(volumes, "kafka-tls"), "secret").get("secretName"), map(map(values, "tls"), "kafka").get("secretName"),
                    where + ": Kafka TLS secret");
            assertEquals(kustomizeEnv(container), chartEnv(where, v), where + ": environment (name -> value or secret/key/optional)");
        }
    }

    /** name -> "value" or "secret:NAME/KEY[?]" for one kustomize container. */
    private static Map<String, String> kustomizeEnv(Map<String, Object> container) {
        Map<String, String> env = new TreeMap<>();
        for (Map<String, Object> e : list(container, "env")) {
            if (e.containsKey("value")) {
                env.put((String) e.get("name"), String.valueOf(e.get("value")));
            } else {
                Map<String, Object> ref = map(map(e, "valueFrom"), "secretKeyRef");
                env.put((String) e.get("name"), secret(ref.get("name"), ref.get("key"), ref.get("optional")));
            }
        }
        return env;
    }

    /** The same for a role as the Deployment template builds it from values. */
    private static Map<String, String> chartEnv(String component, Map<String, Object> v) {
        Map<String, String> env = new TreeMap<>();
        env.put("JAVA_OPTS", (String) v.get("javaOpts"));
        String defaultSecret = (String) map(values, "secrets").get("name");
        List<Map<String, Object>> secretEnv = new ArrayList<>(list(values, "kafkaSecretEnv"));
        secretEnv.addAll(list(v, "secretEnv"));
        if (component.equals("board")) {
            // board.yaml adds the token from board.tokenSecret.
            Map<String, Object> token = map(v, "tokenSecret");
            secretEnv.add(Map.of("name", "ICH_HTTP_AUTH_TOKEN", "secret", token.get("name"), "key", token.get("key"), "optional", false));
        }
        for (Map<String, Object> s : secretEnv) {
            Object name = s.get("secret") == null || "".equals(s.get("secret")) ? defaultSecret : s.get("secret");
            env.put((String) s.get("name"), secret(name, s.get("key"), s.get("optional")));
        }
        map(v, "env").forEach((k, val) -> env.put(k, String.valueOf(val)));
        return env;
    }

    private static String secret(Object name, Object key, Object optional) {
        return "secret:" + name + "/" + key + (Boolean.TRUE.equals(optional) ? "?" : "");
    }

    @Test
    void configMapDataIsValuesConfigAndEveryVariableIsASetting() {
        Map<String, Object> data = map(k8s("ConfigMap", "ich-triage-config"), "data");
        assertEquals(new TreeMap<>(data), new TreeMap<>(map(values, "config")));
        Set<String> known = Settings.ALL.stream().map(Setting::envVar).collect(Collectors.toSet());
        Set<String> names = new TreeSet<>(map(values, "config").keySet());
        for (String role : ROLE_BLOCKS) {
            names.addAll(map(map(values, role), "env").keySet());
            list(map(values, role), "secretEnv").forEach(s -> names.add((String) s.get("name")));
        }
        list(values, "kafkaSecretEnv").forEach(s -> names.add((String) s.get("name")));
        for (String n : names) {
            if (n.startsWith("ICH_")) {
                assertTrue(known.contains(n), n + " is not a setting of `ich-triage config`");
            }
        }
        Map<String, Setting> byEnv = Settings.ALL.stream().collect(Collectors.toMap(Setting::envVar, s -> s));
        for (String n : map(values, "config").keySet()) {
            Setting s = byEnv.get(n);
            assertFalse(s != null && s.secret(), "config." + n + " is secret: it must come from the Secret");
        }
    }

    @Test
    void disruptionBudgetsAndTheDicomServiceMatch() {
        for (Map.Entry<String, List<String>> c : roleCalls().entrySet()) {
            Map<String, Object> budget = map(map(values, c.getValue().get(1)), "disruptionBudget");
            var pdb = k8s.stream().filter(d -> "PodDisruptionBudget".equals(d.get("kind"))
                    && ("ich-triage-" + c.getKey()).equals(map(d, "metadata").get("name"))).findFirst();
            if (pdb.isEmpty()) {
                assertEquals(Map.of(), budget, c.getKey() + ": kustomize has no budget");
                continue;
            }
            Map<String, Object> spec = new LinkedHashMap<>(map(pdb.get(), "spec"));
            spec.remove("selector");
            assertEquals(spec, budget, c.getKey() + ": disruption budget");
        }
        Map<String, Object> svc = map(k8s("Service", "ich-triage-dicom"), "spec");
        Map<String, Object> v = map(map(values, "ingest"), "service");
        assertEquals(svc.get("type"), v.get("type"));
        assertEquals(svc.get("externalTrafficPolicy"), v.get("externalTrafficPolicy"));
        assertEquals(svc.get("loadBalancerSourceRanges"), v.get("loadBalancerSourceRanges"));
        Map<String, Object> port = list(svc, "ports").get(0);
        assertEquals(port.get("port"), v.get("port"));
        // The chart targets the container port by name; kustomize by number: the same port.
        assertEquals(String.valueOf(port.get("targetPort")), map(values, "config").get("ICH_DICOM_PORT"));
        assertTrue(templates.get("ingest.yaml").contains("targetPort: dicom"));
    }

    @Test
    void theChartWritesNoSecret() {
        for (Map.Entry<String, String> t : templates.entrySet()) {
            assertFalse(t.getValue().matches("(?s).*kind:\\s*Secret\\b.*"), t.getKey() + " must reference Secrets, never create one");
        }
        assertNotNull(map(values, "secrets").get("name"));
    }
}
