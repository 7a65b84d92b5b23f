package io.phybr.mock.cli;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLException;
import picocli.CommandLine.Option;

/**
 * {@code --ca/--cert/--key} of {@code agents}: TLS from the agents to the adviser, with the names (and aliases) of
 * phybr's own TLS flags, so that one set of files serves both ends of a {@code phybr serve --ca --cert --key}.
 * {@code --ca} alone gives TLS that checks the adviser's certificate; {@code --cert} and {@code --key} add the agents'
 * own certificate (mutual TLS, which {@code serve} requires). Keys may be PKCS#8, PKCS#1 or SEC1 (EC) PEM: netty
 * reads the last two through BouncyCastle. Wrong flags or unreadable files fail before any agent starts.
 */
final class AgentTlsOptions {
    @Option(names = {"--ca", "--ca-path"}, paramLabel = "FILE",
            description = "PEM CA bundle that signed the adviser's certificate; turns TLS on.")
    Path ca;

    @Option(names = {"--cert", "--cert-path"}, paramLabel = "FILE",
            description = "PEM certificate the agents present (mutual TLS); needs --ca and --key.")
    Path cert;

    @Option(names = {"--key", "--key-path"}, paramLabel = "FILE",
            description = "PEM private key of --cert (PKCS#8, PKCS#1 or EC).")
    Path key;

    /**
     * The agents' client context, or empty for plaintext. Bad flags or files are an {@link IllegalArgumentException}
     * that names the flag and the file (the command prints it as one line and exits 2).
     */
    public Optional<SslContext> clientContext() {
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("--cert and --key go together: give both (mutual TLS, which phybr"
                    + " serve requires) or neither. No agent was started.");
        }
        if (ca == null) {
            if (cert != null) {
                throw new IllegalArgumentException("--cert and --key need --ca, the CA bundle that signed the adviser's"
                        + " certificate. No agent was started.");
            }
            return Optional.empty();
        }
        readable("--ca", ca);
        if (cert != null) {
            readable("--cert", cert);
            readable("--key", key);
        }
        SslContextBuilder b = GrpcSslContexts.forClient();
        try {
            b.trustManager(ca.toFile());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--ca " + ca + " holds no PEM certificate that can be read ("
                    + rootMessage(e) + "). No agent was started.", e);
        }
        if (cert != null) {
            try {
                b.keyManager(cert.toFile(), key.toFile());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--cert " + cert + " and --key " + key + " cannot be read as a PEM"
                        + " certificate and its private key (" + rootMessage(e) + "). No agent was started.", e);
            }
        }
        try {
            return Optional.of(b.build());
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("TLS from --ca " + ca + (cert == null ? "" : ", --cert " + cert
                    + ", --key " + key) + " cannot be set up (" + rootMessage(e) + "). No agent was started.", e);
        }
    }

    private static void readable(String flag, Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(flag + " " + file + ": no such readable file. No agent was started.");
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
