package io.phybr.mock.agent;

import io.phybr.proto.seed.RegionRecover;
import java.util.List;

/**
 * What one store's agent did: how many metas it sent (last attempt), the commands it applied, the
 * error the adviser answered with (if any), and whether close was answered.
 */
public record AgentReport(long store, int attempts, int metasSent, List<RegionRecover> commands, String errorCode,
                          String errorDescription, boolean closed, String closeReply, List<String> problems,
                          List<String> events) {

    public boolean refused() {
        return "FAILED_PRECONDITION".equals(errorCode);
    }

    public String summary() {
        StringBuilder b = new StringBuilder("store ").append(store).append(": sent ").append(metasSent)
                .append(" metas in ").append(attempts).append(attempt(attempts)).append(", ")
                .append(commands.size()).append(" commands applied");
        if (errorCode != null) {
            b.append(", adviser answered ").append(errorCode).append(": ").append(errorDescription);
        }
        b.append(closed ? ", closed (" + closeReply + ")" : ", not closed");
        for (String p : problems) {
            b.append("; PROBLEM: ").append(p);
        }
        return b.toString();
    }

    private static String attempt(int n) {
        return n == 1 ? " attempt" : " attempts";
    }
}
