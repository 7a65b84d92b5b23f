package io.phybr.adviser.flashback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.phybr.adviser.pd.PdStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The finish a run takes from PD's store versions, and the key and timestamp rules the flashback relies on. */
class FinishChoiceTest {
    private static PdStore store(long id, String version) {
        return new PdStore(id, "tikv-" + id + ":20160", false, "Up", 1, version);
    }

    @Test
    void defaultIsFlashbackOnlyWhenEveryStoreRunsAtLeast6_5() {
        assertThat(FinishChoice.choose(Optional.empty(), List.of(store(1, "7.5.1"), store(2, "v6.5.0"), store(3, "8.1.0-alpha"))))
                .isEqualTo(Finish.FLASHBACK);
        assertThat(FinishChoice.choose(Optional.empty(), List.of(store(1, "7.5.1"), store(2, "6.4.0"))))
                .isEqualTo(Finish.RESOLVE);
        assertThat(FinishChoice.choose(Optional.empty(), List.of(store(1, "7.5.1"), store(2, ""))))
                .as("a store PD gives no version for may be older").isEqualTo(Finish.RESOLVE);
    }

    @Test
    void askedResolveIsTakenOnAnyVersion() {
        assertThat(FinishChoice.choose(Optional.of(Finish.RESOLVE), List.of(store(1, "8.5.0")))).isEqualTo(Finish.RESOLVE);
    }

    @Test
    void askedFlashbackOnTooOldATiKvIsRefusedNamingTheStores() {
        assertThatThrownBy(() -> FinishChoice.choose(Optional.of(Finish.FLASHBACK),
                List.of(store(1, "7.5.1"), store(2, "6.3.0"), store(3, "nightly"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("store 2 (tikv-2:20160) runs TiKV 6.3.0")
                .hasMessageContaining("store 3 (tikv-3:20160) has version \"nightly\" which is not x.y.z")
                .hasMessageContaining("Nothing was changed")
                .hasMessageContaining("--finish resolve")
                .message().doesNotContain("store 1");
    }

    @Test
    void finishParsesItsTwoNamesOnly() {
        assertThat(Finish.parse("Flashback")).isEqualTo(Finish.FLASHBACK);
        assertThat(Finish.parse("resolve")).isEqualTo(Finish.RESOLVE);
        assertThatThrownBy(() -> Finish.parse("wait-apply")).hasMessageContaining("give flashback or resolve");
    }

    @Test
    void versionsCompareByMajorMinorPatch() {
        assertThat(TikvVersion.parse("v6.10.0").orElseThrow().atLeast(TikvVersion.parse("6.9.9").orElseThrow())).isTrue();
        assertThat(TikvVersion.parse("6.4.9").orElseThrow().atLeast(TikvVersion.FLASHBACK_SAFE)).isFalse();
        assertThat(TikvVersion.parse("7")).isEmpty();
        assertThat(TikvVersion.parse(null)).isEmpty();
    }

    @Test
    void requestKeysAreTheDecodedBoundariesAndTheEmptyKeyStaysEmpty() {
        for (String raw : new String[] {"t", "t\u0080\0\0\0\0\0\0\u0001_r", "12345678", "123456789abcdefgh"}) {
            byte[] r = raw.getBytes(StandardCharsets.ISO_8859_1);
            byte[] enc = io.phybr.mock.pd.KeyCodec.encode(r); // the mock's encoder, TiKV's byte.rs encode_bytes
            assertThat(enc.length % 9).isZero();
            assertThat(RequestKeys.decode(enc)).hasValueSatisfying(d -> assertThat(d).isEqualTo(r));
        }
        assertThat(RequestKeys.decode(new byte[0])).hasValueSatisfying(d -> assertThat(d).isEmpty());
        assertThat(RequestKeys.decode(new byte[] {(byte) 0x80})).as("not an encoding").isEmpty();
        byte[] badPad = io.phybr.mock.pd.KeyCodec.encode("ab".getBytes(StandardCharsets.ISO_8859_1));
        badPad[5] = 1;
        assertThat(RequestKeys.decode(badPad)).as("padding must be zeros").isEmpty();
        assertThat(FlashbackFinish.requestKey(new byte[] {(byte) 0x80})).as("sent as it is").containsExactly(0x80);
    }

    @Test
    void flashbackTimestampsComeFromOneTsoAboveTheResolvedTs() {
        FlashbackTs ts = FlashbackTs.fromTso(100, 500).orElseThrow();
        assertThat(ts).isEqualTo(new FlashbackTs(100, 499, 500));
        assertThat(FlashbackTs.fromTso(499, 500)).as("start ts must be above the version").isEmpty();
        assertThat(FlashbackTs.fromTso(1000, 500)).isEmpty();
    }
}
