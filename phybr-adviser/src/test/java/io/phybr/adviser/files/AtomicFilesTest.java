package io.phybr.adviser.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files are whole or absent: a write that fails half-way leaves the old file and no stray temporary file. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    /** A sink that takes {@code limit} bytes and then fails as a full disk does. */
    private static OutputStream fullAfter(OutputStream out, int limit) {
        return new FilterOutputStream(out) {
            private int written;

            @Override
            public void write(int b) throws IOException {
                if (++written > limit) {
                    throw new IOException("No space left on device");
                }
                super.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                for (int i = 0; i < len; i++) {
                    write(b[off + i]);
                }
            }
        };
    }

    private long entries() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void aWriteReplacesTheFileWhole() throws IOException {
        Path f = dir.resolve("plan.jsonl");
        Files.writeString(f, "old\n");
        AtomicFiles.writeString(f, "new\n");
        assertThat(f).hasContent("new");
        assertThat(entries()).as("no temporary file left").isEqualTo(1);
    }

    @Test
    void theWrittenFileIsOwnerOnlyAsCreateTempFileMadeIt() throws IOException {
        Path f = dir.resolve("plan.jsonl");
        AtomicFiles.writeString(f, "new\n");
        if (f.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        }
    }

    @Test
    void temporaryNamesDifferFromCallToCallAndKeepThePrefixAndSuffix() {
        String a = AtomicFiles.tempName("plan.jsonl");
        String b = AtomicFiles.tempName("plan.jsonl");
        assertThat(a).isNotEqualTo(b).startsWith(".plan.jsonl.").endsWith(".tmp");
        assertThat(b).startsWith(".plan.jsonl.").endsWith(".tmp");
    }

    @Test
    void aWriteThatFailsHalfWayLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path f = dir.resolve("plan.jsonl");
        Files.writeString(f, "old\n");
        byte[] big = new byte[200_000]; // more than the buffer, so the failure comes mid-write
        assertThatThrownBy(() -> AtomicFiles.write(f, out -> out.write(big), out -> fullAfter(out, 70_000)))
                .isInstanceOf(IOException.class).hasMessageContaining("No space left on device");
        assertThat(f).hasContent("old");
        assertThat(entries()).isEqualTo(1);
    }

    @Test
    void aWriteThatFailsAtTheLastFlushLeavesNothingNew() throws IOException {
        Path f = dir.resolve("summary.json");
        assertThatThrownBy(() -> AtomicFiles.write(f, out -> out.write("{}\n".getBytes()), out -> fullAfter(out, 1)))
                .isInstanceOf(IOException.class);
        assertThat(f).doesNotExist();
        assertThat(entries()).isZero();
    }

    @Test
    void aParentThatIsAFileFailsTheWrite() throws IOException {
        Path notADir = Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> AtomicFiles.writeString(notADir.resolve("plan.jsonl"), "x"))
                .isInstanceOf(IOException.class);
        assertThat(AtomicFiles.unwritable(notADir.resolve("plan.jsonl"))).endsWith("is not a directory");
        assertThat(entries()).isEqualTo(1);
    }

    @Test
    void unwritableTargetsAreNamedBeforeAnyWork() throws IOException {
        assertThat(AtomicFiles.unwritable(dir.resolve("missing/plan.jsonl")))
                .isEqualTo("the directory " + dir.resolve("missing") + " does not exist");
        assertThat(AtomicFiles.unwritable(dir)).endsWith("is a directory");
        assertThat(AtomicFiles.unwritable(dir.resolve("plan.jsonl"))).isNull();
    }
}
