package org.samtune.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.samtune.train.FineTuning;
import org.samtune.train.TrainConfig;

/**
 * The HTML reports in a real headless Chromium (Debian's chromium + chromium-driver; nothing is downloaded): the
 * page loads with no console error and no request other than itself and its data: images, its tables hold the
 * numbers of results.csv, and a screenshot is not blank. Skipped with a message when Chromium is absent outside CI;
 * on CI ({@code CI=true}) a missing browser fails.
 */
class ReportBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir Path dir;

    static void requireBrowser() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present) {
            String msg = "Chromium or chromedriver missing (" + CHROMIUM + ", " + CHROMEDRIVER + "): apt-get install"
                    + " chromium chromium-driver (.ci/run does)";
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(msg + " — required on CI");
            }
            Assumptions.abort(msg + " — browser test skipped");
        }
    }

    static WebDriver browser(Path profile) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1600", "--user-data-dir=" + profile);
        org.openqa.selenium.logging.LoggingPreferences logs = new org.openqa.selenium.logging.LoggingPreferences();
        logs.enable("browser", Level.ALL);
        logs.enable("performance", Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    /** Opens {@code page}; asserts no console error, only file:/data: requests, a non-blank screenshot. */
    static void load(WebDriver driver, Path page) throws Exception {
        driver.manage().logs().get("performance"); // drop what the browser did before the page
        driver.get(page.toUri().toString());
        List<String> errors = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get("browser")) {
            if (e.getLevel().intValue() >= Level.WARNING.intValue()) {
                errors.add(e.getMessage());
            }
        }
        assertThat(errors).as("console messages of " + page).isEmpty();
        List<String> urls = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get("performance")) {
            String m = e.getMessage();
            if (m.contains("\"Network.requestWillBeSent\"")) {
                var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(m);
                urls.add(node.at("/message/params/request/url").asText());
            }
        }
        // the page itself, its data: images, and the browser's own chrome:// pages; nothing from a network
        assertThat(urls).as("requests").contains(page.toUri().toString())
                .noneMatch(u -> u.matches("(?i)^(https?|wss?|ftp):.*"));
        byte[] png = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        int white = img.getRGB(0, 0);
        long differing = 0;
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                int c = img.getRGB(x, y);
                colours.add(c);
                differing += c != white ? 1 : 0;
            }
        }
        assertThat(differing).as("pixels not background").isGreaterThan(img.getWidth() * img.getHeight() / 4 / 100);
        assertThat(colours.size()).as("distinct colours").isGreaterThan(10);
    }

    /** Results of a study without training: two datasets, three strategies, two seeds, seeded numbers. */
    private Path syntheticStudy() {
        java.util.Random rng = new java.util.Random(11);
        List<StudyResults.Row> rows = new ArrayList<>();
        String[] strategies = {"compact dec vanilla", "compact enc+dec adapter", "unet-plain"};
        for (String ds : List.of("brain", "liver")) {
            for (int s = 0; s < strategies.length; s++) {
                StrategyKey key = s == 2 ? new StrategyKey("unet-plain", "-", "-", "random", "none", "all")
                        : new StrategyKey("compact", s == 0 ? "decoder" : "encoder+decoder", s == 0 ? "vanilla"
                        : "adapter", "random", "none", "all");
                for (long seed = 0; seed < 2; seed++) {
                    for (int c = 0; c < 6; c++) {
                        for (int k = 1; k <= 2; k++) {
                            double dice = c == 5 && k == 2 ? Double.NaN
                                    : Math.min(1, Math.max(0, 0.5 + 0.1 * s + 0.1 * rng.nextGaussian()));
                            rows.add(new StudyResults.Row(ds, strategies[s], key, seed, "cells/" + ds + "/"
                                    + key.id() + "/seed" + seed, "case_" + c, k, k == 1 ? "liver" : "tumour & <b>",
                                    dice, dice / (2 - dice), 3 + rng.nextDouble(), 1 + rng.nextDouble(),
                                    c == 4 ? Double.POSITIVE_INFINITY : rng.nextDouble()));
                        }
                    }
                }
            }
        }
        Path study = dir.resolve("study");
        StudyResults.write(study.resolve(StudyResults.FILE), rows);
        return study;
    }

    @Test
    void studyReportLoadsOfflineAndShowsResults() throws Exception {
        requireBrowser();
        Path study = syntheticStudy();
        Path page = StudyReport.write(study);
        List<StudyResults.Row> rows = StudyResults.read(study.resolve(StudyResults.FILE));
        WebDriver driver = browser(dir.resolve("profile"));
        try {
            load(driver, page);
            for (String ds : List.of("brain", "liver")) {
                // mean Dice per strategy: per seed the mean over cases of the case's mean over classes, then over seeds
                Map<String, Map<Long, Map<String, double[]>>> acc = new LinkedHashMap<>();
                for (StudyResults.Row r : rows) {
                    if (r.dataset().equals(ds) && !Double.isNaN(r.dice())) {
                        double[] a = acc.computeIfAbsent(r.strategy(), k -> new TreeMap<>())
                                .computeIfAbsent(r.seed(), k -> new TreeMap<>())
                                .computeIfAbsent(r.caseId(), k -> new double[2]);
                        a[0] += r.dice();
                        a[1]++;
                    }
                }
                Map<String, String> expected = new LinkedHashMap<>();
                acc.forEach((strategy, seeds) -> {
                    double sum = 0;
                    for (Map<String, double[]> cases : seeds.values()) {
                        sum += cases.values().stream().mapToDouble(a -> a[0] / a[1]).average().orElseThrow();
                    }
                    expected.put(strategy, String.format(Locale.ROOT, "%.4f", sum / seeds.size()));
                });
                Map<String, String> shown = new LinkedHashMap<>();
                for (WebElement tr : driver.findElements(By.cssSelector("#ranking-" + ds + " tbody tr"))) {
                    List<WebElement> td = tr.findElements(By.tagName("td"));
                    shown.put(td.get(0).getText(), td.get(2).getText());
                }
                assertThat(shown).as("ranking table of " + ds).containsExactlyInAnyOrderEntriesOf(expected);

                // per strategy and class: the mean of each metric over seeds and cases, as in results.csv
                for (WebElement tr : driver.findElements(By.cssSelector("#metrics-" + ds + " tbody tr"))) {
                    List<WebElement> td = tr.findElements(By.tagName("td"));
                    String strategy = td.get(0).getText();
                    String cls = td.get(1).getText();
                    double sum = 0;
                    int n = 0;
                    for (StudyResults.Row r : rows) {
                        if (r.dataset().equals(ds) && r.strategy().equals(strategy) && r.className().equals(cls)
                                && !Double.isNaN(r.dice())) {
                            sum += r.dice();
                            n++;
                        }
                    }
                    assertThat(td.get(2).getText()).as(strategy + " " + cls).isEqualTo(String.format(Locale.ROOT,
                            "%.4f", sum / n));
                    if (cls.equals("liver")) {
                        assertThat(td.get(6).getText()).as("NSD with a missed structure").isEqualTo("∞");
                    }
                }
            }
            assertThat(driver.findElements(By.cssSelector("svg circle"))).hasSizeGreaterThan(50);
            assertThat(driver.findElement(By.id("ranking-all")).getText()).contains("unet-plain");
        } finally {
            driver.quit();
        }
    }

    @Test
    void runReportLoadsOfflineWithOverlays() throws Exception {
        requireBrowser();
        StudyTestData.write(dir.resolve("data"));
        Path run = dir.resolve("run");
        TrainConfig c = TrainConfig.builder().arch("compact").numClasses(3)
                .targets(org.samtune.data.TargetMode.MULTI_ALL).epochs(1).batchSize(2).warmupIters(2).valEvery(1)
                .augment(false).imageSize(256).outSize(64).trainList(dir.resolve("data/train.csv").toString())
                .valList(dir.resolve("data/val.csv").toString()).imageFolder(dir.resolve("data").toString())
                .maskFolder(dir.resolve("data").toString()).outputDir(run.toString()).build();
        FineTuning.start(c, run, FineTuning.Options.defaults(), new PrintStreamSink());
        Path page = RunReport.write(run, null, null);
        String html = Files.readString(page);
        assertThat(html).contains("id=\"metrics\"").contains("best: ").contains("worst: ")
                .contains("data:image/png;base64,");
        WebDriver driver = browser(dir.resolve("profile"));
        try {
            load(driver, page);
            assertThat(driver.findElements(By.cssSelector("#metrics tbody tr"))).hasSize(2);
            assertThat(driver.findElements(By.cssSelector("figure img"))).hasSizeGreaterThanOrEqualTo(1 + 2 * 3);
            Object loaded = ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(
                    "return Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)");
            assertThat(loaded).isEqualTo(Boolean.TRUE);
        } finally {
            driver.quit();
        }
    }

    /** Swallows the training progress. */
    private static final class PrintStreamSink extends java.io.PrintStream {
        PrintStreamSink() {
            super(java.io.OutputStream.nullOutputStream());
        }
    }
}
