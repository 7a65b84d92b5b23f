package io.phybr.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The image tags of the real-cluster ITs, read from {@code docker/.env}: pinned in one place, shared with compose. */
final class ClusterImages {
    final String pd;
    final String tikv;
    final String jre;

    private ClusterImages(Map<String, String> env) {
        this.pd = require(env, "PD_IMAGE");
        this.tikv = require(env, "TIKV_IMAGE");
        this.jre = require(env, "JRE_IMAGE");
    }

    static ClusterImages load() {
        Path env = Path.of(System.getProperty("phybr.docker.env", "../docker/.env"));
        try {
            Map<String, String> m = new LinkedHashMap<>();
            for (String line : Files.readAllLines(env)) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#") || !t.contains("=")) {
                    continue;
                }
                m.put(t.substring(0, t.indexOf('=')).strip(), t.substring(t.indexOf('=') + 1).strip());
            }
            return new ClusterImages(m);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the pinned image tags in " + env.toAbsolutePath(), e);
        }
    }

    private static String require(Map<String, String> env, String key) {
        String v = env.get(key);
        if (v == null || v.isEmpty() || v.endsWith(":latest") || !v.contains(":")) {
            throw new IllegalStateException(key + " must be a pinned image tag in docker/.env, got " + v);
        }
        return v;
    }
}
