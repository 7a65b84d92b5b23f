package io.phybr.adviser.protocol.seed;

import io.grpc.Status;
import io.phybr.contract.ExitCode;
import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.plan.PlanOptions;
import io.phybr.adviser.plan.PlanOutcome;
import io.phybr.adviser.plan.Planner;
import io.phybr.adviser.plan.Refusal;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.adviser.record.RunRecorder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session's planning step, run on its worker once every store reported: merges the per-stream
 * tables, plans, refuses when the transport already found malformed metas (adding the planner's own
 * problems), records the plan and writes {@code --plan-output} — all before any command is sent.
 */
final class Planning {
    private static final Logger log = LoggerFactory.getLogger(SeedAdviser.class);

    /** Writes the plan to {@code --plan-output}; a seam for tests of a failing disk. */
    interface PlanWriter {
        void write(Plan plan, Path file) throws IOException;
    }

    /** Makes the plan from the merged reports ({@link Planner#plan}); a seam for tests of deliberately broken planners. */
    interface PlanMaker {
        PlanOutcome plan(ReplicaTable all, PlanOptions options);
    }

    /** The plan to send, or how the session ends instead (exit, status code, verdict, diagnosis). */
    record Result(Plan plan, ExitCode exit, Status.Code code, String verdict, String diagnosis) {
        static Result planned(Plan plan) {
            return new Result(plan, ExitCode.OK, Status.Code.OK, "", "");
        }

        static Result ended(ExitCode exit, Status.Code code, String verdict, String diagnosis) {
            return new Result(null, exit, code, verdict, diagnosis);
        }
    }

    private Planning() {
    }

    static Result plan(List<ReportStream> reports, Session.Config config) {
        PlanOptions options = config.planOptions();
        RunRecorder recorder = config.recorder();
        Path planOutput = config.planOutput();
        long t0 = System.nanoTime();
        long replicas = 0;
        PlanOutcome result;
        List<String> transportProblems = new ArrayList<>();
        int transportProblemCount = 0;
        try {
            for (ReportStream r : reports) {
                replicas += r.table().size();
                transportProblems.addAll(r.problems());
                transportProblemCount += r.problemCount();
            }
            ReplicaTable all = new ReplicaTable((int) Math.min(Integer.MAX_VALUE - 16, Math.max(16, replicas)));
            for (ReportStream r : reports) {
                all.appendAll(r.table());
            }
            result = config.planMaker().plan(all, options);
        } catch (RuntimeException | OutOfMemoryError e) {
            log.error("internal error while planning", e);
            return Result.ended(ExitCode.INTERNAL, Status.Code.INTERNAL, Diagnoses.VERDICT_INTERNAL,
                    Diagnoses.internalError(e));
        }
        if (transportProblemCount > 0) {
            List<String> lines = new ArrayList<>(transportProblems);
            int count = transportProblemCount;
            if (result instanceof Refusal r && r.kind() == Refusal.Kind.MALFORMED) {
                lines.addAll(r.problems());
                count += r.problems().size();
            }
            return refused(Diagnoses.malformedReports(lines, count));
        }
        if (result instanceof Refusal r) {
            return refused(r.message());
        }
        Plan p = (Plan) result;
        log.info(String.format(Locale.ROOT, "planned %d replicas from %d stores in %.2f s", replicas, reports.size(),
                (System.nanoTime() - t0) / 1e9));
        log.info(p.summary().toText().strip());
        recorder.planned(p); // asynchronous: never delays the commands
        if (planOutput != null) {
            try {
                config.planWriter().write(p, planOutput);
                log.info("wrote the plan ({} commands) to {}", p.commandCount(), planOutput);
            } catch (IOException e) {
                return Result.ended(ExitCode.FAILURE, Status.Code.UNAVAILABLE,
                        Diagnoses.verdictPlanNotWritten(planOutput), Diagnoses.planNotWritten(planOutput, e.getMessage()));
            }
        }
        return Result.planned(p);
    }

    private static Result refused(String diagnosis) {
        return Result.ended(ExitCode.REFUSED, Status.Code.FAILED_PRECONDITION, Diagnoses.VERDICT_REFUSED, diagnosis);
    }
}
