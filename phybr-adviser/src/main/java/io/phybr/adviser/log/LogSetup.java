package io.phybr.adviser.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.status.Status;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * The adviser's logging, configured through Logback (never by formatting lines ourselves): text or JSON
 * (Logback's {@link JsonEncoder}), to stderr or appended to a file, at a level. Text lines carry the date, time
 * and zone offset, the level, the logger, the message and the event's key-value pairs ({@code phase=…
 * store=… regions=… duration_ms=…}); a multi-line message or stack trace is folded into one line. JSON
 * events carry the same pairs in {@code kvpList} and the time as epoch milliseconds.
 */
public final class LogSetup {
    /** The text layout; {@code logback.xml} (used until a command configures logging) has the same one. */
    public static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0}"
            + " %replace(%msg){'\\R\\s*', ' | '}%replace( %kvp){'^ $', ''}%replace(%replace( %ex{short}){'\\s*\\R\\s*', ' | '}){'^ $| \\| $', ''}%nopex%n";

    public enum Format { TEXT, JSON }

    private LogSetup() {}

    /**
     * Replaces the whole configuration. Returns null, or one sentence saying why the log could not be opened
     * (then the previous configuration — stderr — is back in place).
     */
    public static String apply(String level, Format format, Path file) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        Encoder<ILoggingEvent> encoder = encoder(ctx, format);
        OutputStreamAppender<ILoggingEvent> appender;
        if (file != null) {
            FileAppender<ILoggingEvent> f = new FileAppender<>();
            f.setFile(file.toString());
            f.setAppend(true);
            appender = f;
        } else {
            ConsoleAppender<ILoggingEvent> c = new ConsoleAppender<>();
            c.setTarget("System.err");
            appender = c;
        }
        appender.setName(file != null ? "FILE" : "STDERR");
        appender.setContext(ctx);
        appender.setEncoder(encoder);
        long before = System.currentTimeMillis();
        appender.start();
        if (!appender.isStarted()) {
            String why = lastError(ctx, before);
            apply(level, Format.TEXT, null);
            return "cannot write the log file " + file + (why == null ? "" : ": " + why);
        }
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level.toUpperCase(Locale.ROOT), Level.INFO));
        root.addAppender(appender);
        // grpc and netty would flood an operator's log at INFO and below.
        ctx.getLogger("io.grpc").setLevel(Level.WARN);
        ctx.getLogger("io.netty").setLevel(Level.WARN);
        return null;
    }

    private static Encoder<ILoggingEvent> encoder(LoggerContext ctx, Format format) {
        if (format == Format.JSON) {
            JsonEncoder json = new JsonEncoder();
            json.setContext(ctx);
            json.setWithArguments(false);     // the formatted message has them; keys go in kvpList
            json.setWithMessage(false);
            json.setWithFormattedMessage(true);
            json.setWithContext(false);
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.start();
            return json;
        }
        PatternLayoutEncoder text = new PatternLayoutEncoder();
        text.setContext(ctx);
        text.setPattern(TEXT_PATTERN);
        text.start();
        return text;
    }

    private static String lastError(LoggerContext ctx, long since) {
        String why = null;
        for (Status s : ctx.getStatusManager().getCopyOfStatusList()) {
            if (s.getLevel() == Status.ERROR && s.getTimestamp() >= since) {
                why = s.getThrowable() != null ? s.getThrowable().getMessage() : s.getMessage();
            }
        }
        return why;
    }
}
