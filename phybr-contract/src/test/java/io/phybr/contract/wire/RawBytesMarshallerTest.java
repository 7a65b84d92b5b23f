package io.phybr.contract.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class RawBytesMarshallerTest {
    @Test
    void theBytesGoOutAsTheyAreInOneDrainOfKnownLength() throws Exception {
        byte[] message = {8, (byte) 0x96, 1, 16, 7};

        InputStream s = RawBytesMarshaller.INSTANCE.stream(message);

        assertThat(s).isInstanceOf(KnownLength.class).isInstanceOf(Drainable.class);
        assertThat(s.available()).isEqualTo(message.length); // KnownLength: what grpc-java frames by
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(((Drainable) s).drainTo(out)).isEqualTo(message.length);
        assertThat(out.toByteArray()).containsExactly(message);
        assertThat(s.available()).isZero();
    }

    @Test
    void parsingReadsTheBytesAsTheyAre() {
        byte[] message = {8, 1, 24, 1};

        assertThat(RawBytesMarshaller.INSTANCE.parse(new java.io.ByteArrayInputStream(message))).containsExactly(message);
    }
}
