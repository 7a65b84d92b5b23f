package io.phybr.adviser.pd;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The TiKV stores a recovery must see up in PD before it touches anything (R14, tidb-operator#5242): a count, the
 * ids when the backup meta lists them, and the stores the operator explicitly allows to be missing.
 *
 * @param count        TiKV stores the cluster had (TiFlash not counted); 0 = unknown (only a dry run may go without)
 * @param ids          their ids when known (BR's EBS meta {@code tikv.stores[].store_id}), else empty
 * @param allowMissing ids the operator named with {@code --allow-missing-stores}: recovery goes on without them
 * @param source       where the count came from, for messages ("--expected-stores 3", "the backup meta's tikv.stores")
 */
public record ExpectedStores(int count, Set<Long> ids, Set<Long> allowMissing, String source) {
    public ExpectedStores {
        ids = Set.copyOf(new TreeSet<>(ids));
        allowMissing = Set.copyOf(new TreeSet<>(allowMissing));
        if (count < 0 || !ids.isEmpty() && ids.size() != count) {
            throw new IllegalArgumentException("expected " + count + " stores but " + ids.size() + " ids");
        }
        if (allowMissing.size() >= Math.max(1, count)) {
            throw new IllegalArgumentException("--allow-missing-stores names " + allowMissing.size()
                    + " stores, but only " + count + " are expected: at least one must take part");
        }
        if (!ids.isEmpty() && !ids.containsAll(allowMissing)) {
            Set<Long> unknown = new TreeSet<>(allowMissing);
            unknown.removeAll(ids);
            throw new IllegalArgumentException("--allow-missing-stores names " + unknown + ", which " + source
                    + " does not list (it lists " + new TreeSet<>(ids) + ")");
        }
    }

    /** Nothing known: the store list is taken as PD gives it once (dry runs only). */
    public static ExpectedStores unknown() {
        return new ExpectedStores(0, Set.of(), Set.of(), "nothing");
    }

    public boolean known() {
        return count > 0;
    }

    /** How many must be up: the count minus the ones allowed to be missing. */
    public int needed() {
        return count - allowMissing.size();
    }

    public List<Long> sortedIds() {
        return new TreeSet<>(ids).stream().toList();
    }

    /** For the recording's manifest and messages. */
    public String describe() {
        if (!known()) {
            return "TiKV stores listed by PD";
        }
        String s = count + " TiKV stores (" + source + (ids.isEmpty() ? "" : ": " + sortedIds()) + ")";
        return allowMissing.isEmpty() ? s : s + ", stores " + new TreeSet<>(allowMissing) + " allowed missing";
    }
}
