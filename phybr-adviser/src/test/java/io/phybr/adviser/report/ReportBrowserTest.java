package io.phybr.adviser.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.phybr.adviser.cli.CliRun;
import io.phybr.adviser.protocol.seed.GrpcCleanup;
import io.phybr.adviser.protocol.seed.Layout;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report page rendered by a real headless Chromium (its {@code --screenshot}, no driver needed): the screenshot
 * must not be blank and must show the strip's green (kept regions). Skipped, saying so, where no Chromium is
 * installed — Debian: {@code apt-get install chromium}.
 */
class ReportBrowserTest {
    @RegisterExtension
    final GrpcCleanup cleanup = new GrpcCleanup();

    @TempDir
    Path dir;

    static Optional<Path> chromium() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String name : new String[] {"chromium", "chromium-browser", "google-chrome", "chrome"}) {
            Optional<Path> found = Stream.of(path.split(File.pathSeparator)).map(p -> Path.of(p, name))
                    .filter(Files::isExecutable).findFirst();
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    @Test
    void aHeadlessChromiumDrawsThePage() throws Exception {
        Optional<Path> browser = chromium();
        assumeTrue(browser.isPresent(), "SKIPPED: no headless Chromium on PATH (chromium, chromium-browser, google-chrome);"
                + " install one to run this test (Debian: apt-get install chromium)");
        Path run = RecordedServeRun.record(dir, cleanup, Layout.random(3, 3, 60), 3);
        assertThat(CliRun.of("report", run.toString()).code()).isZero();
        Path shot = dir.resolve("shot.png");
        Process p = new ProcessBuilder(browser.get().toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--window-size=1200,900", "--screenshot=" + shot,
                run.resolve("report.html").toUri().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(shot).as(Files.readString(dir.resolve("chromium.log"))).exists();
        BufferedImage img = ImageIO.read(shot.toFile());
        Set<Integer> colours = new HashSet<>();
        int green = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                int r = rgb >> 16 & 0xff;
                int g = rgb >> 8 & 0xff;
                int b = rgb & 0xff;
                green += g > 120 && r < 100 && b < 80 ? 1 : 0;
            }
        }
        assertThat(colours.size()).as("not blank").isGreaterThan(10);
        assertThat(green).as("the key-space strip's kept regions are drawn").isGreaterThan(50);
    }
}
