package io.phybr.adviser.pd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.phybr.adviser.tls.PemFiles;
import io.phybr.adviser.tls.TestPki;
import io.phybr.adviser.tls.TestPki.KeyForm;
import io.phybr.adviser.tls.TlsFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The TLS files as operators' tools write them, read and checked before anything is sent. */
class TlsConfigTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(KeyForm.class)
    void readsEveryKeyFormTheToolsWrite(KeyForm form) throws Exception {
        TestPki pki = TestPki.ca(tmp, "cluster");
        TestPki.Files2 f = pki.client("br", form);
        String head = Files.readString(f.key()).lines().findFirst().orElseThrow();
        assertThat(head).as("the file really is in the form under test").isEqualTo(switch (form) {
            case RSA_PKCS1 -> "-----BEGIN RSA PRIVATE KEY-----";
            case EC_SEC1 -> "-----BEGIN EC PRIVATE KEY-----";
            case RSA_PKCS8, EC_PKCS8 -> "-----BEGIN PRIVATE KEY-----";
        });
        assertThat(PemFiles.privateKey("--key", f.key()).getAlgorithm()).isEqualTo(form.name().startsWith("RSA") ? "RSA" : "EC");
        TlsConfig tls = new TlsConfig(pki.caFile(), f.cert(), f.key());
        assertThat(tls.grpcContext().isClient()).isTrue();
        assertThat(tls.sslContext().getProtocol()).isEqualTo("TLS");
    }

    @Test
    void anEcKeyAfterItsEcParametersBlockAsOpensslEcparamWritesIt() throws Exception {
        TestPki pki = TestPki.ca(tmp, "cluster");
        TestPki.Files2 f = pki.client("cfssl", KeyForm.EC_SEC1);
        // `openssl ecparam -name prime256v1 -genkey` writes the curve's OID block before the key
        Files.writeString(f.key(), "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
                + Files.readString(f.key()));
        assertThat(PemFiles.privateKey("--key", f.key()).getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void anExpiredCertificateIsRefusedNamingTheFileAndTheDate() throws Exception {
        TestPki pki = TestPki.ca(tmp, "cluster");
        TestPki.Files2 f = pki.expired("old-br", KeyForm.RSA_PKCS8, false);
        assertThatThrownBy(() -> new TlsConfig(pki.caFile(), f.cert(), f.key()).grpcContext())
                .isInstanceOf(TlsFileException.class)
                .hasMessageContaining("--cert " + f.cert()).hasMessageContaining("CN=old-br").hasMessageContaining("expired on");
    }

    @Test
    void aCaBundleIsRefusedOnlyWhenNoCaInItIsValid() throws Exception {
        TestPki pki = TestPki.ca(tmp, "cluster");
        TestPki.Files2 old = TestPki.ca(tmp, "retired").expired("retired-ca", KeyForm.RSA_PKCS8, false);
        // a bundle as the system ones are: an expired certificate beside the valid CA is no reason to refuse
        Path bundle = Files.writeString(tmp.resolve("bundle.pem"), Files.readString(old.cert()) + Files.readString(pki.caFile()));
        TestPki.Files2 br = pki.client("br", KeyForm.RSA_PKCS8);
        assertThat(new TlsConfig(bundle, br.cert(), br.key()).sslContext()).isNotNull();
        assertThatThrownBy(() -> new TlsConfig(old.cert(), null, null).sslContext())
                .hasMessageContaining("--ca " + old.cert()).hasMessageContaining("expired on");
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefusedNamingBoth() throws Exception {
        TestPki pki = TestPki.ca(tmp, "cluster");
        TestPki.Files2 a = pki.client("a", KeyForm.RSA_PKCS1);
        TestPki.Files2 b = pki.client("b", KeyForm.RSA_PKCS1);
        TestPki.Files2 ec = pki.client("c", KeyForm.EC_SEC1);
        assertThatThrownBy(() -> new TlsConfig(pki.caFile(), a.cert(), b.key()).sslContext())
                .hasMessageContaining("--key " + b.key()).hasMessageContaining("--cert " + a.cert()).hasMessageContaining("not a pair");
        assertThatThrownBy(() -> new TlsConfig(pki.caFile(), a.cert(), ec.key()).sslContext())
                .hasMessageContaining("is a EC key but").hasMessageContaining("RSA");
    }

    @Test
    void unusableFilesAreNamedWithTheirFlagAndNoKeyMaterial() throws Exception {
        TestPki pki = TestPki.ca(tmp, "cluster");
        TestPki.Files2 f = pki.client("br", KeyForm.RSA_PKCS8);
        Path missing = tmp.resolve("nope.pem");
        assertThatThrownBy(() -> new TlsConfig(missing, null, null).sslContext())
                .hasMessage("--ca " + missing + " does not exist");
        Path garbage = Files.writeString(tmp.resolve("garbage.pem"), "hello\n");
        assertThatThrownBy(() -> new TlsConfig(garbage, null, null).grpcContext())
                .hasMessageContaining("--ca " + garbage).hasMessageContaining("not a PEM file");
        Path damaged = Files.writeString(tmp.resolve("damaged.pem"),
                "-----BEGIN RSA PRIVATE KEY-----\nAAAA!!\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> new TlsConfig(pki.caFile(), f.cert(), damaged).grpcContext())
                .hasMessageContaining("--key " + damaged);
        // a key where the CA bundle belongs: no certificate in it, and not one byte of the key in the message
        String keyBody = Files.readString(f.key()).lines().skip(1).findFirst().orElseThrow();
        assertThatThrownBy(() -> new TlsConfig(f.key(), null, null).sslContext())
                .hasMessageContaining("--ca " + f.key()).hasMessageContaining("holds no certificate")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(keyBody.substring(0, 16)));
        Path encrypted = Files.writeString(tmp.resolve("enc.pem"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                + "MIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemFiles.privateKey("--key", encrypted)).hasMessageContaining("--key " + encrypted);
    }

    @Test
    void certAndKeyGoTogetherAndCaIsNeeded() {
        assertThatThrownBy(() -> new TlsConfig(null, null, null)).hasMessageContaining("--ca-path");
        assertThatThrownBy(() -> new TlsConfig(tmp, tmp, null)).hasMessageContaining("go together");
    }

    @Test
    void aServerNeedsItsOwnCertificate() throws Exception {
        TestPki pki = TestPki.ca(tmp, "cluster");
        assertThatThrownBy(() -> new TlsConfig(pki.caFile(), null, null).grpcServerContext(s -> { }))
                .hasMessageContaining("serving TLS needs --cert and --key");
    }
}
