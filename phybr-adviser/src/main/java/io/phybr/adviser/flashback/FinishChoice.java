package io.phybr.adviser.flashback;

import io.phybr.adviser.pd.PdStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which finish a run takes. Asked ({@code --finish}): that one, but flashback only where every TiKV PD lists is
 * {@link TikvVersion#FLASHBACK_SAFE} or later (else refused before anything changes). Not asked: flashback when every
 * TiKV is that new (BR switched to it for those versions), resolve otherwise — also when a store's version is missing
 * or unreadable, since resolve works on every TiKV in recovery mode.
 */
public final class FinishChoice {
    private FinishChoice() {
    }

    /** The finish to run; an {@link IllegalStateException} with the operator's paragraph when flashback was asked on too old a TiKV. */
    public static Finish choose(Optional<Finish> asked, List<PdStore> stores) {
        List<PdStore> old = tooOld(stores);
        if (asked.isPresent()) {
            if (asked.get() == Finish.FLASHBACK && !old.isEmpty()) {
                throw new IllegalStateException(FlashbackTexts.tooOld(stores));
            }
            return asked.get();
        }
        return old.isEmpty() && !stores.isEmpty() ? Finish.FLASHBACK : Finish.RESOLVE;
    }

    /** The stores whose version is missing, unreadable or older than {@link TikvVersion#FLASHBACK_SAFE}. */
    static List<PdStore> tooOld(List<PdStore> stores) {
        List<PdStore> out = new ArrayList<>();
        for (PdStore s : stores) {
            Optional<TikvVersion> v = TikvVersion.parse(s.version());
            if (v.isEmpty() || !v.get().atLeast(TikvVersion.FLASHBACK_SAFE)) {
                out.add(s);
            }
        }
        return out;
    }
}
