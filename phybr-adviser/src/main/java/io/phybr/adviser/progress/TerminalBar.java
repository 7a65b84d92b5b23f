package io.phybr.adviser.progress;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A live progress bar on a terminal: one line per phase, redrawn in place ({@code \r}) at every snapshot, ended with a
 * newline when the phase finishes or the next one starts. Only for a terminal ({@link #wanted}); elsewhere the log's
 * periodic lines and {@code --progress-file} carry the same figures. No library: the bar is one line of text, and
 * {@link #render} is a pure function (tested without a terminal).
 *
 * <pre>collect  [############------------]  2/3 stores  12,345 region metas  1,234/s  0:12  ~0:06 left</pre>
 */
public final class TerminalBar implements Consumer<PhaseProgress> {
    static final int BAR = 24;
    private final PrintWriter out;
    private String phase;
    private boolean lineOpen;
    private int lastLength;

    public TerminalBar(PrintWriter out) {
        this.out = out;
    }

    /**
     * Whether to draw: {@code always}, {@code never}, or {@code auto} — only when this process talks to a terminal
     * (the JDK gives a {@code Console} only then) that is not {@code TERM=dumb}.
     */
    public static boolean wanted(String mode, boolean console, String term) {
        return switch (mode) {
            case "always" -> true;
            case "never" -> false;
            case "auto" -> console && !"dumb".equals(term);
            default -> throw new IllegalArgumentException("--progress-bar " + mode + ": expected auto, always or never");
        };
    }

    @Override
    public synchronized void accept(PhaseProgress p) {
        if (p.phase().startsWith("starting")) {
            return;
        }
        if (lineOpen && !p.phase().equals(phase)) {
            out.print('\n');
            lineOpen = false;
        }
        if (!lineOpen && p.phase().equals(phase) && p.finished()) {
            return; // this phase's last line is drawn already
        }
        phase = p.phase();
        String line = render(p);
        // pad over a longer previous line, so no tail of it is left on screen
        out.print('\r' + line + " ".repeat(Math.max(0, lastLength - line.length())));
        lastLength = line.length();
        if (p.finished()) {
            out.print('\n');
            lineOpen = false;
            lastLength = 0;
        } else {
            lineOpen = true;
        }
        out.flush();
    }

    /** Ends an open line (the command is ending). */
    public synchronized void close() {
        if (lineOpen) {
            out.print('\n');
            out.flush();
            lineOpen = false;
        }
    }

    /** The bar line of one snapshot. */
    public static String render(PhaseProgress p) {
        int total = Math.max(0, p.storesTotal());
        int done = Math.min(p.storesDone(), total);
        int filled = total == 0 ? 0 : (int) ((long) BAR * done / total);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-11s", p.phase())).append('[')
                .append("#".repeat(filled)).append("-".repeat(BAR - filled)).append("]  ")
                .append(done).append('/').append(total).append(" stores  ")
                .append(String.format(Locale.ROOT, "%,d", p.count())).append(' ').append(p.unit())
                .append(String.format(Locale.ROOT, "  %,d/s  ", Math.round(p.perSecond())))
                .append(clock(p.elapsedMillis()));
        if (p.finished()) {
            sb.append("  done");
        } else if (p.etaMillis().isPresent()) {
            sb.append("  ~").append(clock(p.etaMillis().getAsLong())).append(" left");
        }
        return sb.toString();
    }

    static String clock(long millis) {
        Duration d = Duration.ofMillis(Math.max(0, millis));
        long h = d.toHours();
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, d.toMinutesPart(), d.toSecondsPart())
                : String.format(Locale.ROOT, "%d:%02d", d.toMinutes(), d.toSecondsPart());
    }
}
