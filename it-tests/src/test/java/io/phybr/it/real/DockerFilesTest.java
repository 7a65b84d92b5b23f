package io.phybr.it.real;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker/: compose.yaml, rehearse-restore.sh, .env, the containers of the ITs and the .dockerignore agree — checked
 * without Docker, which is not on this project's machines. SnakeYAML, because it resolves compose's
 * {@code <<: *tikv} merge keys.
 */
class DockerFilesTest {
    private static final Path ROOT = ProjectRoot.get();
    private static final Map<String, String> ENV = ClusterImages.load().env;

    @SuppressWarnings("unchecked")
    private static Map<String, Object> compose() throws Exception {
        return new Yaml().load(Files.readString(ROOT.resolve("docker/compose.yaml")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> service(String name) throws Exception {
        return (Map<String, Object>) ((Map<String, Object>) compose().get("services")).get(name);
    }

    private static String script() throws Exception {
        return Files.readString(ROOT.resolve("docker/rehearse-restore.sh"));
    }

    /** {@code readonly NAME=value} or {@code readonly NAME=(a b c)} from the script. */
    private static String scriptConstant(String name) throws Exception {
        Matcher m = Pattern.compile("(?m)^readonly " + name + "=(\\(([^)]*)\\)|\"([^\"]*)\"|(\\S+))").matcher(script());
        assertThat(m.find()).as("rehearse-restore.sh defines %s", name).isTrue();
        return m.group(2) != null ? m.group(2) : m.group(3) != null ? m.group(3) : m.group(4);
    }

    @Test
    void everyImageOfComposeIsAVariablePinnedInEnv() throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose().get("services");
        assertThat(services).containsKeys("pd0", "tikv1", "tikv2", "tikv3", "tidb", "adviser");
        for (var e : services.entrySet()) {
            String image = (String) e.getValue().get("image");
            Matcher m = Pattern.compile("^\\$\\{(\\w+)}$").matcher(image);
            assertThat(m.matches()).as("%s's image %s is a variable from .env", e.getKey(), image).isTrue();
            assertThat(ENV).as("docker/.env").containsKey(m.group(1));
        }
    }

    @Test
    void theContainersOfTheItsRunWhatComposeRuns() throws Exception {
        assertThat(service("pd0").get("command")).isEqualTo(Arrays.asList(PdContainer.commandLine()));
        for (int i = 1; i <= 3; i++) {
            assertThat(service("tikv" + i).get("command")).as("tikv%d", i)
                    .isEqualTo(Arrays.asList(TikvContainer.commandLine(i, "pd0:2379")));
        }
        assertThat(service("tidb").get("command")).isEqualTo(Arrays.asList(TidbContainer.commandLine("pd0:2379")));
    }

    @Test
    void theScriptUsesComposesPortsServicesAndVolumes() throws Exception {
        assertThat(service("pd0").get("ports")).isEqualTo(List.of("127.0.0.1:" + scriptConstant("PD_PORT") + ":2379"));
        assertThat(service("tidb").get("ports")).isEqualTo(List.of("127.0.0.1:" + scriptConstant("TIDB_PORT") + ":4000"));
        assertThat(compose().get("name")).isEqualTo(scriptConstant("PROJECT"));
        @SuppressWarnings("unchecked")
        Map<String, Object> volumes = (Map<String, Object>) compose().get("volumes");
        assertThat(volumes.keySet()).containsExactlyInAnyOrder(scriptConstant("VOLUMES").split(" "));
        for (String store : scriptConstant("STORES").split(" ")) {
            assertThat(service(store)).as("compose service %s", store).isNotNull();
        }
        assertThat(scriptConstant("RECOVERY_LOG_LINE")).isEqualTo(TikvContainer.RECOVERY_MODE_LINE);
    }

    @Test
    void theAdviserWritesOutAsTheCallerAndPdAndTikvLogToStderr() throws Exception {
        // A root-owned bind-mount source would refuse writes from uid 10001: the script creates ./out and exports ids.
        assertThat(service("adviser").get("user")).isEqualTo("${PHYBR_UID:-10001}:${PHYBR_GID:-10001}");
        assertThat(service("adviser").get("volumes")).isEqualTo(List.of("./out:/work"));
        assertThat(script()).contains("export PHYBR_UID PHYBR_GID", "PHYBR_UID=$(id -u)", "mkdir -p out");
        for (String name : List.of("pd0", "tikv1", "tikv2", "tikv3")) {
            @SuppressWarnings("unchecked")
            List<String> command = (List<String>) service(name).get("command");
            assertThat(command).as("%s logs to stderr, where `docker compose logs` finds it", name)
                    .noneMatch(a -> a.startsWith("--log-file"));
        }
        assertThat(script()).contains("curl -sf \"$PD/pd/api/v1/health\"");
    }

    @Test
    void theBuildContextIsOnlyTheJarTheDockerfileCopies() throws Exception {
        List<String> ignore = Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertThat(ignore).containsExactly("*", "!phybr-adviser/target/phybr-adviser.jar");
        assertThat(Files.readString(ROOT.resolve("docker/Dockerfile"))).contains("COPY phybr-adviser/target/phybr-adviser.jar ");
    }

    @Test
    void theScriptParsesAndIsShellcheckClean() throws Exception {
        assertThat(run("bash", "-n", ROOT.resolve("docker/rehearse-restore.sh").toString())).isEqualTo(0);
        assertThat(script()).startsWith("#!/usr/bin/env bash").contains("set -euo pipefail");
        if (onPath("shellcheck")) { // Debian's shellcheck package; skipped where it is not installed
            assertThat(run("shellcheck", ROOT.resolve("docker/rehearse-restore.sh").toString())).isEqualTo(0);
        } else {
            System.out.println("shellcheck not installed: only bash -n checked rehearse-restore.sh");
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(cmd))).inheritIO().start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", List.of(cmd)).isTrue();
        return p.exitValue();
    }
}
