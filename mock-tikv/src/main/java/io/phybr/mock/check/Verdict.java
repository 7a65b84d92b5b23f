package io.phybr.mock.check;

import java.util.List;

/** The checker's judgement: PASS, or FAIL with every broken check and a dump for replaying. */
public record Verdict(boolean pass, List<String> failures, String details) {

    public String headline() {
        if (pass) {
            return "PASS";
        }
        return "FAIL: " + failures.size() + (failures.size() == 1 ? " check failed" : " checks failed");
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(headline()).append('\n');
        for (String f : failures) {
            b.append("  - ").append(f).append('\n');
        }
        if (!pass) {
            b.append(details);
        }
        return b.toString();
    }
}
