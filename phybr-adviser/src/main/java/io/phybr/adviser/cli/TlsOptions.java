package io.phybr.adviser.cli;

import io.phybr.adviser.pd.TlsConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --ca/--cert/--key}, BR's names for TLS to PD and TiKV (and for {@code serve}'s mutual TLS); {@code --ca-path/--cert-path/--key-path} (the
 * names phybr used first) stay as aliases. Giving one file under both names is a usage error (picocli: "should be
 * specified only once").
 */
final class TlsOptions {
    @Option(names = {"--ca", "--ca-path"}, paramLabel = "FILE", description = "PEM CA bundle: TLS to PD and TiKV (serve: the CA its agents' certificates must be signed by).")
    Path ca;
    @Option(names = {"--cert", "--cert-path"}, paramLabel = "FILE", description = "PEM certificate chain (with --key): recover's client certificate, serve's server certificate.")
    Path cert;
    @Option(names = {"--key", "--key-path"}, paramLabel = "FILE", description = "PEM private key of --cert: PKCS#8, PKCS#1 (BEGIN RSA PRIVATE KEY) or EC (BEGIN EC PRIVATE KEY); not encrypted.")
    Path key;

    /** True if any TLS file was given: then {@link #config()} decides whether they make sense together. */
    boolean enabled() {
        return ca != null || cert != null || key != null;
    }

    /** @throws IllegalArgumentException naming the missing flag */
    TlsConfig config() {
        return new TlsConfig(ca, cert, key);
    }
}
