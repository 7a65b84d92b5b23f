package io.phybr.it.real;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The image tags of the real-cluster ITs, read from {@code docker/.env}: pinned in one place, shared with compose. */
public final class ClusterImages {
    public final String pd;
    public final String tikv;
    public final String tidb;
    public final String jre;
    /** Every {@code KEY=VALUE} of the file, in order. */
    public final Map<String, String> env;

    private ClusterImages(Map<String, String> env) {
        this.env = Map.copyOf(env);
        this.pd = require(env, "PD_IMAGE");
        this.tikv = require(env, "TIKV_IMAGE");
        this.tidb = require(env, "TIDB_IMAGE");
        this.jre = require(env, "JRE_IMAGE");
    }

    public static ClusterImages load() {
        return load(ProjectRoot.resolve("docker/.env"));
    }

    static ClusterImages load(Path env) {
        try {
            return new ClusterImages(parse(Files.readString(env)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the pinned image tags in " + env.toAbsolutePath(), e);
        }
    }

    static Map<String, String> parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#") || !t.contains("=")) {
                continue;
            }
            m.put(t.substring(0, t.indexOf('=')).strip(), t.substring(t.indexOf('=') + 1).strip());
        }
        return m;
    }

    /** The TiDB release the images are pinned to, e.g. {@code v7.5.1} — the TiUP IT uses the same one. */
    public String version() {
        return pd.substring(pd.indexOf(':') + 1);
    }

    private static String require(Map<String, String> env, String key) {
        String v = env.get(key);
        if (v == null || v.isEmpty() || v.endsWith(":latest") || !v.contains(":")) {
            throw new IllegalStateException(key + " must be a pinned image tag in docker/.env, got " + v);
        }
        return v;
    }
}
