package io.phybr.adviser.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.phybr.adviser.files.AtomicFiles;
import io.phybr.contract.ExitCode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Writes a run directory's {@code manifest.json} (read back by the contract's {@code RecordedRun}): what the run
 * was asked, how far it got and how it ended. Replaced atomically each time, so a kill leaves the last whole one.
 */
final class ManifestWriter {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private ManifestWriter() {
    }

    /**
     * What the recorder knew when it wrote the manifest, taken under its lock. {@code stores}: the plan's stores
     * once there is a plan, else the stores whose report completed; {@code commands} -1 before a plan;
     * {@code flashbackTs} {version, start_ts, commit_ts}, {@code flashbackRegions} {prepared, flashed back}.
     */
    record Facts(String failure, long[] stores, long replicas, long discardedReplicas, boolean planWritten,
                 int commands, String finishBy, String finishWhy, long[] flashbackTs, long[] flashbackRegions) {
    }

    static void write(Path file, RunInfo info, Instant started, String status, ExitCode exit, String verdict,
                      String diagnosis, Facts f) throws IOException {
        AtomicFiles.write(file, o -> {
            try (JsonGenerator g = JSON.createGenerator(o)) {
                g.useDefaultPrettyPrinter();
                g.writeStartObject();
                g.writeStringField("format", RunRecorder.FORMAT);
                g.writeStringField("command", info.command());
                g.writeStringField("adviser_version", RunRecorder.version());
                g.writeStringField("status", status);
                if (f.failure() != null) {
                    g.writeStringField("recording_error", f.failure());
                }
                g.writeStringField("policy", info.policy().name().toLowerCase(java.util.Locale.ROOT));
                g.writeStringField("protocol", info.protocol().name().toLowerCase(java.util.Locale.ROOT));
                g.writeBooleanField("accept_holes", info.acceptHoles());
                g.writeArrayFieldStart("flags");
                for (String flag : info.flags()) {
                    g.writeString(flag);
                }
                g.writeEndArray();
                if (info.resolvedTs().isPresent()) {
                    g.writeStringField("resolved_ts", Long.toUnsignedString(info.resolvedTs().getAsLong()));
                } else {
                    g.writeNullField("resolved_ts");
                }
                g.writeStringField("expected_stores", info.expectedStores());
                g.writeArrayFieldStart("stores");
                for (long s : f.stores()) {
                    g.writeNumber(s);
                }
                g.writeEndArray();
                g.writeStringField("started_at", started.toString());
                if (exit != null) {
                    g.writeStringField("ended_at", Instant.now().toString());
                } else {
                    g.writeNullField("ended_at");
                }
                g.writeStringField("dump", RunRecorder.DUMP);
                g.writeNumberField("replicas", f.replicas());
                if (f.discardedReplicas() > 0) {
                    g.writeStringField("discarded", RunRecorder.DISCARDED);
                    g.writeNumberField("discarded_replicas", f.discardedReplicas());
                }
                if (f.planWritten()) {
                    g.writeStringField("plan", RunRecorder.PLAN);
                    g.writeStringField("summary", RunRecorder.SUMMARY);
                    g.writeNumberField("commands", f.commands());
                } else {
                    g.writeNullField("plan");
                }
                if (f.finishBy() != null) {
                    g.writeObjectFieldStart("finish");
                    g.writeStringField("by", f.finishBy());
                    g.writeStringField("why", f.finishWhy() == null ? "" : f.finishWhy());
                    if (f.flashbackTs() != null) {
                        g.writeObjectFieldStart("flashback");
                        g.writeStringField("version", Long.toUnsignedString(f.flashbackTs()[0]));
                        g.writeStringField("start_ts", Long.toUnsignedString(f.flashbackTs()[1]));
                        g.writeStringField("commit_ts", Long.toUnsignedString(f.flashbackTs()[2]));
                        if (f.flashbackRegions() != null) {
                            g.writeNumberField("regions_prepared", f.flashbackRegions()[0]);
                            g.writeNumberField("regions_flashed_back", f.flashbackRegions()[1]);
                        }
                        g.writeEndObject();
                    }
                    g.writeEndObject();
                }
                if (exit != null) {
                    g.writeStringField("verdict", verdict == null ? "" : verdict);
                    g.writeNumberField("exit_code", exit.code());
                    g.writeStringField("outcome", exit.name().toLowerCase(java.util.Locale.ROOT));
                    if (diagnosis != null && !diagnosis.isEmpty()) {
                        g.writeStringField("diagnosis", diagnosis);
                    }
                } else {
                    g.writeNullField("verdict");
                    g.writeNullField("exit_code");
                }
                g.writeEndObject();
                g.writeRaw('\n');
            }
        });
    }
}
