package io.phybr.adviser.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.phybr.adviser.plan.Hole;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link RunReport} as one self-contained HTML page: no script, style, font or image from anywhere else,
 * so it can be mailed or attached to an incident. The key space is a strip of SVG segments in key order (kept,
 * dropped, gone, holes), one row per store for the leaders it got; a click on a segment shows that region's
 * {@code explain}. Large runs are drawn in at most {@link #SEGMENTS} segments (each the first of its regions).
 */
public final class ReportPage {
    static final int SEGMENTS = 2000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReportPage() {
    }

    /** One segment of the strip: a region, or a hole (id -1). */
    private record Segment(long id, String fate, long leader, String range) {}

    public static String render(RunReport r) {
        JsonNode m = r.manifest();
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>phybr ")
                .append(esc(m.path("command").asText("run"))).append(" — ").append(esc(m.path("started_at").asText("")))
                .append("</title>\n<style>").append(CSS).append("</style></head>\n<body>\n");
        h.append("<h1>phybr ").append(esc(m.path("command").asText("?"))).append(" run</h1>\n");
        String outcome = m.path("outcome").asText(m.path("status").asText("unknown"));
        h.append("<p id=\"verdict\" class=\"verdict ").append(outcome.equals("ok") ? "ok" : "bad").append("\">")
                .append(esc(m.path("verdict").asText("").isEmpty() ? "no verdict: the run " + m.path("status").asText("?")
                        : m.path("verdict").asText())).append("</p>\n");
        h.append("<table id=\"run\">\n");
        row(h, "directory", r.runDir());
        for (String k : new String[] {"status", "outcome", "exit_code", "policy", "protocol", "resolved_ts",
                "expected_stores", "started_at", "ended_at", "adviser_version", "replicas", "commands"}) {
            if (m.hasNonNull(k)) {
                row(h, k.replace('_', ' '), m.get(k).asText());
            }
        }
        h.append("</table>\n");
        String diagnosis = m.path("diagnosis").asText("");
        if (!diagnosis.isEmpty() || r.refusal() != null) {
            h.append("<section id=\"diagnosis\"><h2>Diagnosis</h2><p>")
                    .append(esc(diagnosis.isEmpty() ? r.refusal() : diagnosis)).append("</p></section>\n");
        }
        timeline(h, r, m);
        strip(h, r);
        leaders(h, r);
        holes(h, r);
        h.append("<section id=\"explain-box\"><h2>Explain</h2><pre id=\"explain\">Click a region on the strip.</pre>")
                .append(r.regions().size() > r.explain().size()
                        ? "<p class=\"note\">Explanations are embedded for the first " + r.explain().size() + " regions in key"
                        + " order; for any other: <code>phybr plan --input " + esc(r.runDir()) + "/reports.jsonl --explain"
                        + " REGION</code></p>" : "")
                .append("</section>\n");
        h.append("<script type=\"application/json\" id=\"explain-data\">").append(json(r.explain())).append("</script>\n");
        h.append("<script>").append(JS).append("</script>\n</body></html>\n");
        return h.toString();
    }

    private static void timeline(StringBuilder h, RunReport r, JsonNode m) {
        h.append("<section id=\"timeline\"><h2>Timeline</h2>\n<div class=\"bar\"><span class=\"span\">")
                .append(esc(m.path("started_at").asText("?"))).append(" → ")
                .append(esc(m.path("ended_at").asText("not ended"))).append("</span></div>\n");
        if (r.lastPhase() != null) {
            h.append("<p>Last phase reached: <b id=\"last-phase\">").append(esc(r.lastPhase())).append("</b></p>\n");
        }
        h.append("<p class=\"note\">The recording keeps the run's start and end, not each phase's times; the log"
                + " (<code>--log-file</code>) has one line per phase with its duration, retries and failures.</p></section>\n");
    }

    private static List<Segment> segments(RunReport r) {
        List<Segment> all = new ArrayList<>();
        List<Hole> holes = new ArrayList<>(r.holes());
        int hi = 0;
        holes.sort((a, b) -> java.util.Arrays.compareUnsigned(a.start(), b.start()));
        for (RunReport.Region g : r.regions()) {
            while (hi < holes.size() && java.util.Arrays.compareUnsigned(holes.get(hi).start(), g.start()) <= 0) {
                all.add(new Segment(-1, "hole", -1, range(holes.get(hi).start(), holes.get(hi).end())));
                hi++;
            }
            all.add(new Segment(g.id(), g.fate(), g.leader(), range(g.start(), g.end())));
        }
        for (; hi < holes.size(); hi++) {
            all.add(new Segment(-1, "hole", -1, range(holes.get(hi).start(), holes.get(hi).end())));
        }
        if (all.size() <= SEGMENTS) {
            return all;
        }
        // bucket: a bucket shows a hole if it has one, else dropped, else its first region
        List<Segment> out = new ArrayList<>();
        double per = (double) all.size() / SEGMENTS;
        for (int b = 0; b < SEGMENTS; b++) {
            int from = (int) (b * per);
            int to = (int) Math.min(all.size(), (b + 1) * per);
            Segment pick = all.get(from);
            for (int i = from; i < to; i++) {
                Segment s = all.get(i);
                if (s.fate().equals("hole") || (s.fate().equals("dropped") && !pick.fate().equals("hole"))) {
                    pick = s;
                }
            }
            out.add(pick);
        }
        return out;
    }

    private static void strip(StringBuilder h, RunReport r) {
        List<Segment> segs = segments(r);
        List<Long> stores = new ArrayList<>(r.leadersPerStore().keySet());
        int n = Math.max(1, segs.size());
        int rowH = 18;
        int height = rowH * (1 + stores.size()) + 4;
        h.append("<section id=\"keyspace\"><h2>Key space</h2>\n<p class=\"legend\"><span class=\"kept\">kept</span>"
                + " <span class=\"dropped\">dropped</span> <span class=\"gone\">gone</span> <span class=\"hole\">hole</span>"
                + " <span class=\"lead\">leader on the store</span> — ").append(r.regions().size()).append(" regions")
                .append(segs.size() < r.regions().size() ? ", drawn as " + segs.size() + " segments" : "").append("</p>\n");
        h.append(String.format(Locale.ROOT, "<svg id=\"strip\" viewBox=\"0 0 1000 %d\" width=\"100%%\" height=\"%d\""
                + " preserveAspectRatio=\"none\" role=\"img\" aria-label=\"key space\">%n", height, height * 2));
        double w = 1000.0 / n;
        for (int i = 0; i < segs.size(); i++) {
            Segment s = segs.get(i);
            String x = String.format(Locale.ROOT, "%.3f", i * w);
            String ww = String.format(Locale.ROOT, "%.3f", Math.max(w, 0.5));
            h.append("<rect class=\"seg ").append(s.fate()).append("\" x=\"").append(x).append("\" y=\"0\" width=\"")
                    .append(ww).append("\" height=\"").append(rowH - 2).append("\" data-region=\"").append(s.id())
                    .append("\"><title>").append(s.id() < 0 ? "hole " : "region " + s.id() + " (" + s.fate() + ") ")
                    .append(esc(s.range())).append("</title></rect>\n");
            for (int k = 0; k < stores.size(); k++) {
                if (s.leader() == stores.get(k)) {
                    h.append("<rect class=\"lead\" x=\"").append(x).append("\" y=\"").append(rowH * (k + 1))
                            .append("\" width=\"").append(ww).append("\" height=\"").append(rowH - 2)
                            .append("\" data-region=\"").append(s.id()).append("\"/>\n");
                }
            }
        }
        h.append("</svg>\n<p class=\"note\">Rows below the strip: stores ").append(stores)
                .append(", top to bottom.</p></section>\n");
    }

    private static void leaders(StringBuilder h, RunReport r) {
        int max = r.leadersPerStore().values().stream().mapToInt(Integer::intValue).max().orElse(0);
        h.append("<section id=\"leaders\"><h2>Leaders per store</h2><table>\n");
        for (Map.Entry<Long, Integer> e : r.leadersPerStore().entrySet()) {
            int pct = max == 0 ? 0 : e.getValue() * 100 / max;
            h.append("<tr><td>store ").append(e.getKey()).append("</td><td class=\"num\">").append(e.getValue())
                    .append("</td><td><div class=\"hbar\" style=\"width:").append(pct).append("%\"></div></td></tr>\n");
        }
        h.append("</table></section>\n");
    }

    private static void holes(StringBuilder h, RunReport r) {
        if (r.holes().isEmpty()) {
            return;
        }
        h.append("<section id=\"holes\"><h2>Holes (accepted: their data is lost)</h2><ul>\n");
        for (Hole x : r.holes()) {
            h.append("<li>").append(esc(range(x.start(), x.end()))).append("</li>\n");
        }
        h.append("</ul></section>\n");
    }

    private static String range(byte[] start, byte[] end) {
        HexFormat hex = HexFormat.of();
        return "[" + (start.length == 0 ? "\"\"" : hex.formatHex(start)) + ", " + (end.length == 0 ? "\"\"" : hex.formatHex(end)) + ")";
    }

    private static void row(StringBuilder h, String k, String v) {
        h.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>\n");
    }

    /** JSON inside a script element: {@code </} must not close it. */
    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o).replace("</", "<\\/");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c < 0x20 && c != '\n' && c != '\t' ? '?' : c);
            }
        }
        return b.toString();
    }

    private static final String CSS = "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}"
            + "h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.4em}table{border-collapse:collapse}"
            + "th,td{text-align:left;padding:2px 10px;border-bottom:1px solid #eee}.num{text-align:right}"
            + ".verdict{font-weight:bold;padding:6px 10px;border-radius:4px}.verdict.ok{background:#d8f5d0}"
            + ".verdict.bad{background:#fbd5d5}.note{color:#666;font-size:.9em}#diagnosis p{white-space:pre-wrap}"
            + "svg{border:1px solid #ccc;background:#fafafa}.seg{cursor:pointer}"
            + "rect.kept,.legend .kept{fill:#3a9d23;background:#3a9d23}rect.dropped,.legend .dropped{fill:#999;background:#999}"
            + "rect.gone,.legend .gone{fill:#e0a000;background:#e0a000}rect.hole,.legend .hole{fill:#d11;background:#d11}"
            + "rect.unplanned{fill:#bbb}rect.lead,.legend .lead{fill:#2b6cb0;background:#2b6cb0;cursor:pointer}"
            + ".legend span{color:#fff;padding:1px 6px;border-radius:3px}.hbar{background:#2b6cb0;height:12px;min-width:1px}"
            + "#leaders td:last-child{width:400px}pre{background:#f4f4f4;padding:8px;white-space:pre-wrap}"
            + ".bar .span{display:inline-block;background:#e8eef8;padding:4px 10px;border-radius:3px}";

    private static final String JS = "(function(){var d=JSON.parse(document.getElementById('explain-data').textContent);"
            + "var out=document.getElementById('explain');"
            + "document.getElementById('strip').addEventListener('click',function(e){var r=e.target.getAttribute&&"
            + "e.target.getAttribute('data-region');if(r===null||r===undefined)return;"
            + "if(r==='-1'){out.textContent='A hole: no live replica covers this range.';return;}"
            + "out.textContent=d[r]||('region '+r+': not embedded; run phybr plan --explain '+r);});})();";
}
