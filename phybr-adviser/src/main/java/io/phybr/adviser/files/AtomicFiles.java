package io.phybr.adviser.files;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * Every file the tools write — plans, summaries, port files, a recording's manifest — goes through
 * here: written to a temporary file in the same directory, forced to disk, then renamed into place
 * ({@link StandardCopyOption#ATOMIC_MOVE}). A reader sees the old file or the whole new one, never a
 * torn one; a failed write (a full disk, a read-only directory) throws, deletes the temporary file
 * and leaves the target as it was.
 */
public final class AtomicFiles {
    /** Writes a file's content; may throw when the disk does. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    public static void write(Path target, Content content) throws IOException {
        write(target, content, UnaryOperator.identity());
    }

    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Like {@link #write(Path, Content)}, with {@code sink} wrapped around the temporary file's stream:
     * the seam tests use to fail a write half-way, as a full disk does.
     */
    public static void write(Path target, Content content, UnaryOperator<OutputStream> sink) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = null;
        boolean moved = false;
        try {
            FileChannel created = null;
            for (int attempt = 0; created == null; attempt++) {
                tmp = dir.resolve(tempName(abs.getFileName().toString()));
                try {
                    created = posix(dir) ? FileChannel.open(tmp, CREATE_NEW_WRITE, OWNER_ONLY)
                            : FileChannel.open(tmp, CREATE_NEW_WRITE);
                } catch (FileAlreadyExistsException e) {
                    tmp = null; // another writer's: not ours to delete
                    if (attempt >= 16) {
                        throw e;
                    }
                }
            }
            try (FileChannel ch = created) {
                Writeback writeback = new Writeback(Channels.newOutputStream(ch), () -> ch.force(false), Writeback.STEP);
                try {
                    writeTo(ch, writeback, content, sink);
                } finally {
                    writeback.await(); // no force may still run on a channel closed (and a file deleted) below
                }
            }
            move(tmp, abs);
            moved = true;
        } finally {
            if (!moved && tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Writes the content through {@code sink} and {@code writeback}, then forces the whole file to disk. */
    private static void writeTo(FileChannel ch, Writeback writeback, Content content, UnaryOperator<OutputStream> sink)
            throws IOException {
        OutputStream out = new BufferedOutputStream(sink.apply(writeback), 1 << 16);
        // Writers such as Jackson close the stream they are given; the channel must stay open to be forced.
        content.writeTo(new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                out.flush();
            }
        });
        out.flush();
        writeback.finish();
        ch.force(true);
    }

    private static final Set<StandardOpenOption> CREATE_NEW_WRITE =
            EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    /** What {@link Files#createTempFile} gives a temporary file: readable and writable by its owner only. */
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY = PosixFilePermissions.asFileAttribute(
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    private static final AtomicLong TEMP_COUNTER = new AtomicLong();

    private static boolean posix(Path dir) {
        return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /**
     * A temporary name unlikely to be any other writer's ({@code .NAME.NANOS-N.tmp}: the clock in base 36 and a
     * count), created with {@code CREATE_NEW} so that a clash is an error the caller retries with the next name.
     * Not {@link Files#createTempFile}: its random names load and seed {@code SecureRandom}, ~20 ms of a
     * {@code plan} run before the plan is written.
     */
    static String tempName(String fileName) {
        return "." + fileName + "." + Long.toUnsignedString(System.nanoTime(), 36)
                + "-" + TEMP_COUNTER.incrementAndGet() + ".tmp";
    }

    /** Renames {@code from} onto {@code to}, atomically where the file system can. */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Why {@code target} cannot be written, checked before any work starts (a missing directory, a
     * parent that is a file, a read-only directory), or null when it looks writable.
     */
    public static String unwritable(Path target) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.exists(dir)) {
            return "the directory " + dir + " does not exist";
        }
        if (!Files.isDirectory(dir)) {
            return dir + " is not a directory";
        }
        if (Files.isDirectory(abs)) {
            return abs + " is a directory";
        }
        if (!Files.isWritable(dir)) {
            return "the directory " + dir + " is not writable";
        }
        return null;
    }

    /** The reason of an I/O failure as one clause: the exception's message, or its type when it has none. */
    public static String reason(IOException e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
