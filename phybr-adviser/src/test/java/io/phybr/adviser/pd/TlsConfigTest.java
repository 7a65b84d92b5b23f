package io.phybr.adviser.pd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsConfigTest {
    @TempDir
    Path tmp;

    @Test
    void readsPkcs8KeysAndExplainsPkcs1Ones() throws Exception {
        for (String alg : new String[] {"RSA", "EC"}) {
            KeyPairGenerator g = KeyPairGenerator.getInstance(alg);
            byte[] der = g.generateKeyPair().getPrivate().getEncoded();
            Path pem = tmp.resolve(alg + ".pem");
            Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(der)
                    + "\n-----END PRIVATE KEY-----\n");
            assertThat(TlsConfig.privateKey(pem).getAlgorithm()).isEqualTo(alg);
        }
        Path pkcs1 = tmp.resolve("rsa1.pem");
        Files.writeString(pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> TlsConfig.privateKey(pkcs1)).hasMessageContaining("PKCS#8").hasMessageContaining("openssl pkcs8");
    }

    @Test
    void certAndKeyGoTogetherAndCaIsNeeded() {
        assertThatThrownBy(() -> new TlsConfig(null, null, null)).hasMessageContaining("--ca-path");
        assertThatThrownBy(() -> new TlsConfig(tmp, tmp, null)).hasMessageContaining("go together");
    }
}
