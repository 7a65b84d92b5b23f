package io.phybr.adviser.plan;

import java.util.Arrays;

/**
 * Append-only storage for raw keys, in large pages so that millions of keys cost no object each.
 * A key is addressed by a {@code long} (page index in the high 32 bits, offset in the low 32 bits)
 * plus its length, kept by the caller. A key never spans two pages.
 */
final class KeyArena {
    private static final java.lang.invoke.VarHandle BIG_ENDIAN =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);
    /**
     * 4 MiB less a little: small enough to waste little, large enough to be rare, and with its array header
     * exactly two G1 regions of 2 MiB (the region size of a 4–8 GB heap). A page of exactly 4 MiB spilled into a
     * third region, and as G1 never moves such humongous arrays, a 10M-region table's 1.6 GB of keys took 2.4 GB.
     */
    private static final int PAGE_SIZE = (1 << 22) - 64;

    /**
     * The size of the pages {@link #reserve} allocates: 16 pages' worth at once, still whole G1 regions with the
     * array header (the region size is a power of two from 1 to 32 MiB).
     */
    private static final int RESERVED_PAGE_SIZE = (1 << 26) - 64;

    private byte[][] pages = new byte[4][];
    private int pageCount;
    /** Pages allocated ahead by {@link #reserve} and not written yet: {@code pages[pageCount, pageCount + reserved)}. */
    private int reserved;
    private int pos;
    /** The length of the page being filled (0 before the first). */
    private int limit;

    /** Appends {@code a} then {@code b} contiguously and returns the address of the first. */
    long append(byte[] a, byte[] b) {
        int len = a.length + b.length;
        if (pos + len > limit || pageCount == 0) {
            newPage(Math.max(len, PAGE_SIZE));
        }
        byte[] page = pages[pageCount - 1];
        System.arraycopy(a, 0, page, pos, a.length);
        System.arraycopy(b, 0, page, pos + a.length, b.length);
        long addr = ((long) (pageCount - 1) << 32) | pos;
        pos += len;
        return addr;
    }

    /** Appends {@code src[off, off+len)} and returns its address. */
    long append(byte[] src, int off, int len) {
        if (pos + len > limit || pageCount == 0) {
            newPage(Math.max(len, PAGE_SIZE));
        }
        System.arraycopy(src, off, pages[pageCount - 1], pos, len);
        long addr = ((long) (pageCount - 1) << 32) | pos;
        pos += len;
        return addr;
    }

    /** Appends {@code src[aOff, aOff+aLen)} then {@code src[bOff, bOff+bLen)} contiguously; returns the address of the first. */
    long append(byte[] src, int aOff, int aLen, int bOff, int bLen) {
        int len = aLen + bLen;
        if (pos + len > limit || pageCount == 0) {
            newPage(Math.max(len, PAGE_SIZE));
        }
        byte[] page = pages[pageCount - 1];
        System.arraycopy(src, aOff, page, pos, aLen);
        System.arraycopy(src, bOff, page, pos + aLen, bLen);
        long addr = ((long) (pageCount - 1) << 32) | pos;
        pos += len;
        return addr;
    }

    /** Appends {@code len} bytes held by another arena at {@code addr}; returns their new address. */
    long appendFrom(KeyArena src, long addr, int len) {
        if (pos + len > limit || pageCount == 0) {
            newPage(Math.max(len, PAGE_SIZE));
        }
        System.arraycopy(src.page(addr), offset(addr), pages[pageCount - 1], pos, len);
        long at = ((long) (pageCount - 1) << 32) | pos;
        pos += len;
        return at;
    }

    private void newPage(int size) {
        if (pageCount + reserved == pages.length) {
            pages = Arrays.copyOf(pages, (pageCount + reserved) * 2);
        }
        if (reserved > 0 && pages[pageCount].length >= size) {
            reserved--;
        } else {
            // No page reserved, or a key longer than the next one: a page of its own, the reserved ones after it.
            pages[pageCount + reserved] = pages[pageCount];
            pages[pageCount] = new byte[size];
        }
        limit = pages[pageCount++].length;
        pos = 0;
    }

    /**
     * Allocates now, in pages of 64 MiB, about {@code bytes} more key bytes (an estimate: {@link #dropReserve}
     * gives back pages it over-counted). Each page is a humongous allocation for G1, and once the heap is ~45 %
     * full each one starts a concurrent marking cycle (three pauses): a 1M-region dump's keys, page by page of
     * 4 MiB, started ~40 of them while it was read.
     */
    void reserve(long bytes) {
        long left = bytes;
        for (int i = pageCount; i < pageCount + reserved; i++) {
            left -= pages[i].length;
        }
        while (left > 0 && pageCount + reserved < Integer.MAX_VALUE - 8) {
            // The first few of 4 MiB, so that the JIT sees pages change while the table's appends are profiled (a
            // change it never saw is compiled as a trap, and the first one made the append loop not entrant), then
            // 64 MiB; the last only as large as what is left, rounded up to whole 4 MiB (G1 regions, header in).
            int size = (int) Math.min(pageCount + reserved < 4 ? PAGE_SIZE : RESERVED_PAGE_SIZE,
                    ((left + 64 + (1 << 22) - 1) >>> 22 << 22) - 64);
            if (pageCount + reserved == pages.length) {
                pages = Arrays.copyOf(pages, (pageCount + reserved) * 2);
            }
            pages[pageCount + reserved++] = new byte[size];
            left -= size;
        }
    }

    /** Releases the pages {@link #reserve} allocated that were never written. */
    void dropReserve() {
        for (int i = 0; i < reserved; i++) {
            pages[pageCount + i] = null;
        }
        reserved = 0;
    }

    byte[] page(long addr) {
        return pages[(int) (addr >>> 32)];
    }

    static int offset(long addr) {
        return (int) addr;
    }

    /** Bytes {@code [depth, depth+8)} of the key, big-endian, zero past its end. */
    long chunk(long addr, int len, int depth) {
        byte[] page = page(addr);
        int off = offset(addr) + depth;
        int avail = len - depth;
        if (avail >= 8) {
            return (long) BIG_ENDIAN.get(page, off);
        }
        long v = 0;
        for (int k = 0; k < 8; k++) {
            v = (v << 8) | (k < avail ? page[off + k] & 0xFF : 0);
        }
        return v;
    }

    byte[] copy(long addr, int len) {
        int off = offset(addr);
        return Arrays.copyOfRange(page(addr), off, off + len);
    }

    /** Whether the {@code len} bytes at a and at b are the same. */
    boolean equal(long a, long b, int len) {
        int ao = offset(a);
        int bo = offset(b);
        return Arrays.equals(page(a), ao, ao + len, page(b), bo, bo + len);
    }

    /** Unsigned lexicographic comparison, the order TiKV keys sort in. */
    int compare(long a, int aLen, long b, int bLen) {
        int ao = offset(a);
        int bo = offset(b);
        return Arrays.compareUnsigned(page(a), ao, ao + aLen, page(b), bo, bo + bLen);
    }

    long bytesUsed() {
        long total = 0;
        for (int i = 0; i < pageCount; i++) {
            total += pages[i].length;
        }
        return total;
    }
}
