package io.phybr.adviser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.contract.ExitCode;
import io.phybr.contract.dump.DumpWriter;
import io.phybr.contract.dump.SeedReport;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dump larger than the heap: the real process (a forked JVM with a tiny -Xmx) says in one paragraph how
 * much heap the dump needs and how to give it, exits 7, and prints no stack trace.
 */
class OutOfMemoryTest {
    @TempDir
    Path dir;

    @Test
    void aDumpTooBigForTheHeapIsOneParagraphSayingHowMuchItNeeds() throws Exception {
        Path dump = dir.resolve("big.jsonl");
        byte[] start = new byte[27];
        byte[] end = new byte[27];
        try (OutputStream out = Files.newOutputStream(dump); DumpWriter w = new DumpWriter(out)) {
            for (int r = 0; r < 200_000; r++) {
                start[26] = (byte) r;
                end[26] = (byte) (r + 1);
                for (int s = 1; s <= 3; s++) {
                    w.writeSeed(new SeedReport().store(s).region(r + 1).appliedIndex(10).term(2).version(1)
                            .tombstone(false).keys(start, end));
                }
            }
        }
        long size = Files.size(dump);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx48m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                PhybrMain.class.getName(), "plan", "--input", dump.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.PIPE).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isEqualTo(ExitCode.OUT_OF_MEMORY.code());
        String needed = HeapAdvice.giB(HeapAdvice.forDumpBytes(size));
        assertThat(err).as("the %d-byte dump needs %s", size, needed)
                .startsWith("phybr plan: out of memory while ")
                .contains(dump.toString(), "the Java heap is ", "this input needs about ",
                        "java -Xmx" + needed + " -jar phybr-adviser.jar plan --input " + dump)
                .doesNotContain("\tat ").doesNotContain("Exception in thread").doesNotContain("internal error");
        assertThat(err.strip().lines()).as("one paragraph").hasSize(1);
    }
}
