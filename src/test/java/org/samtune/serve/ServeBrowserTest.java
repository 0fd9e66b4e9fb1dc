package org.samtune.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.samtune.cli.Main;
import org.samtune.data.prepare.SliceAxis;
import org.samtune.data.prepare.VolumeSlicer;
import org.samtune.io.Image2D;
import org.samtune.io.Images2D;
import org.samtune.io.Nifti;
import org.samtune.io.NiftiHeader;
import org.samtune.io.Volume;

/**
 * The page in a real headless Chromium (Debian's chromium + chromedriver; nothing is downloaded): open a volume,
 * click a point, see the mask, choose a candidate, accept it, export; the exported NIfTI must hold exactly the
 * mask {@code samtune predict} gives for the same point on the same slice, on the source's exact geometry.
 */
class ServeBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir Path root;
    @TempDir Path profile;
    @TempDir Path work;
    SamtuneServer server;
    WebDriver driver;

    /** Chromium when installed; on CI a missing browser fails (ci/run installs it), locally the test skips. */
    static WebDriver chromium(Path profile) {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI=true but " + CHROMIUM + " or " + CHROMEDRIVER + " is missing (.ci/run installs"
                    + " chromium and chromium-driver)");
        }
        Assumptions.assumeTrue(present, "browser test skipped: install Debian's chromium and chromium-driver");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,860", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, o);
    }

    @BeforeEach
    void start() throws Exception {
        ServeFixture.writeVolume(root, "scans/ct.nii.gz");
        server = ServeFixture.start(root, ServeFixture.TINY_SAM);
        driver = chromium(profile);
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void clickAcceptExportMatchesPredict() throws Exception {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
        driver.get(server.address());
        wait.until(d -> !d.findElements(By.cssSelector("#files li[data-path='scans']")).isEmpty());
        driver.findElement(By.cssSelector("#files li[data-path='scans']")).click();
        wait.until(d -> !d.findElements(By.cssSelector("#files li[data-path='scans/ct.nii.gz']")).isEmpty());
        driver.findElement(By.cssSelector("#files li[data-path='scans/ct.nii.gz']")).click();
        wait.until(d -> d.findElement(By.id("slice-label")).getText().startsWith("axial"));
        String label = driver.findElement(By.id("slice-label")).getText();
        int slice = Integer.parseInt(label.split(" ")[1]);

        WebElement canvas = driver.findElement(By.id("view"));
        int before = overlayPixels(canvas);
        // a little right of and above the centre: inside the bright ellipse
        new Actions(driver).moveToElement(canvas, 30, -10).click().perform();
        wait.until(d -> d.findElements(By.cssSelector("#candidates button")).size() == 3);
        String prompts = driver.findElement(By.id("prompts")).getText();
        Matcher m = Pattern.compile("fg \\((\\d+), (\\d+)\\)").matcher(prompts);
        assertThat(m.find()).as(prompts).isTrue();
        int x = Integer.parseInt(m.group(1));
        int y = Integer.parseInt(m.group(2));

        // choose the candidate with the highest predicted IoU (what predict --multimask keeps)
        List<WebElement> candidates = driver.findElements(By.cssSelector("#candidates button"));
        int best = 0;
        double bestIou = -1;
        for (int k = 0; k < candidates.size(); k++) {
            double iou = Double.parseDouble(candidates.get(k).getText().replaceAll(".*IoU ", ""));
            if (iou > bestIou) {
                bestIou = iou;
                best = k;
            }
        }
        candidates.get((best + 1) % 3).click();
        candidates.get(best).click();
        assertThat(candidates.get(best).getAttribute("class")).contains("on");
        int drawn = overlayPixels(canvas);
        assertThat(drawn).as("mask pixels drawn on the canvas").isGreaterThan(before + 20);

        driver.findElement(By.id("accept")).click();
        wait.until(d -> d.findElement(By.id("status")).getText().startsWith("accepted into class_1"));
        assertThat(driver.findElements(By.cssSelector("#classes li"))).hasSize(1);

        driver.findElement(By.id("export-nifti")).click();
        wait.until(d -> d.findElement(By.id("export")).getText().startsWith("wrote exports/ct_labels.nii.gz"));
        driver.findElement(By.id("export-dataset")).click();
        wait.until(d -> d.findElement(By.id("export")).getText().startsWith("wrote exports/ct_dataset"));
        if (System.getProperty("samtune.screenshot") != null) {
            Files.write(Path.of(System.getProperty("samtune.screenshot")),
                    ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        }

        // samtune predict on the exported slice PNG, with the same point
        Path slicePng = root.resolve(String.format("exports/ct_dataset/images/ct_axial_%03d.png", slice));
        assertThat(slicePng).exists();
        Path mask = work.resolve("mask.png");
        int code = Main.commandLine().execute("predict", "--checkpoint", ServeFixture.TINY_SAM.toString(), "--image",
                slicePng.toString(), "--point", x + "," + y, "--multimask", "--out", mask.toString());
        assertThat(code).isZero();
        Image2D expected = Images2D.read(mask);

        Path exported = root.resolve("exports/ct_labels.nii.gz");
        Volume labels = Nifti.read(exported);
        Volume source = Nifti.read(root.resolve("scans/ct.nii.gz"));
        VolumeSlicer slicer = new VolumeSlicer(source, SliceAxis.AXIAL);
        float[] got = slicer.slice(labels, slice);
        long fg = 0;
        for (int i = 0; i < got.length; i++) {
            float want = expected.data()[i] > 0 ? 1 : 0;
            assertThat(got[i]).as("pixel %d of slice %d", i, slice).isEqualTo(want);
            fg += (long) want;
        }
        assertThat(fg).as("the mask is not empty").isPositive();
        long total = 0;
        for (float v : labels.data()) {
            total += v != 0 ? 1 : 0;
        }
        assertThat(total).as("no voxel outside the accepted slice").isEqualTo(fg);

        NiftiHeader a = Nifti.readHeader(root.resolve("scans/ct.nii.gz"));
        NiftiHeader b = Nifti.readHeader(exported);
        assertThat(b.dim()).containsExactly(a.dim());
        assertThat(b.pixdim()).containsExactly(a.pixdim());
        assertThat(b.sformCode()).isEqualTo(a.sformCode());
        assertThat(b.qformCode()).isEqualTo(a.qformCode());
        assertThat(b.srowX()).containsExactly(a.srowX());
        assertThat(b.srowY()).containsExactly(a.srowY());
        assertThat(b.srowZ()).containsExactly(a.srowZ());
        assertThat(new double[] {b.quaternB(), b.quaternC(), b.quaternD(), b.qoffsetX(), b.qoffsetY(), b.qoffsetZ()})
                .containsExactly(a.quaternB(), a.quaternC(), a.quaternD(), a.qoffsetX(), a.qoffsetY(), a.qoffsetZ());
        assertThat(labels.affine()).isEqualTo(source.affine());
    }

    /** The first class's voxel count as the page lists it (-1 without classes, -2 while the list re-renders). */
    static long voxels(WebDriver d) {
        try {
            List<WebElement> li = d.findElements(By.cssSelector("#classes li .small"));
            return li.isEmpty() ? -1 : Long.parseLong(li.get(0).getText().replace(" vox", ""));
        } catch (org.openqa.selenium.StaleElementReferenceException e) {
            return -2;
        }
    }

    void openVolume(WebDriverWait wait) {
        wait.until(d -> !d.findElements(By.cssSelector("#files li[data-path='scans']")).isEmpty());
        driver.findElement(By.cssSelector("#files li[data-path='scans']")).click();
        wait.until(d -> !d.findElements(By.cssSelector("#files li[data-path='scans/ct.nii.gz']")).isEmpty());
        driver.findElement(By.cssSelector("#files li[data-path='scans/ct.nii.gz']")).click();
        wait.until(d -> d.findElement(By.id("slice-label")).getText().startsWith("axial"));
    }

    @Test
    void brushEraserUndoPresetsZoomAndReload() throws Exception {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
        driver.get(server.address());
        openVolume(wait);
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("preset"))).selectByValue("bone");
        assertThat(driver.findElement(By.id("level")).getAttribute("value")).isEqualTo("400");
        assertThat(driver.findElement(By.id("width")).getAttribute("value")).isEqualTo("1800");
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("preset"))).selectByValue("auto");

        WebElement canvas = driver.findElement(By.id("view"));
        driver.findElement(By.cssSelector("#tools button[data-tool='brush']")).click();
        new Actions(driver).moveToElement(canvas, 0, 0).clickAndHold().moveByOffset(60, 0).release().perform();
        wait.until(d -> d.findElement(By.id("status")).getText().contains("add a class first"));

        driver.findElement(By.id("add-class")).click();
        wait.until(d -> voxels(d) == 0);
        new Actions(driver).moveToElement(canvas, 0, 0).clickAndHold().moveByOffset(60, 0).moveByOffset(0, 30)
                .release().perform();
        wait.until(d -> voxels(d) > 0);
        long painted = wait.until(d -> voxels(d) > 0 ? voxels(d) : null);

        driver.findElement(By.cssSelector("#tools button[data-tool='eraser']")).click();
        new Actions(driver).moveToElement(canvas, 0, 0).clickAndHold().moveByOffset(20, 0).release().perform();
        wait.until(d -> voxels(d) >= 0 && voxels(d) < painted);
        driver.findElement(By.id("undo")).click();
        wait.until(d -> voxels(d) == painted);

        // the labels live on the server: a reload shows them again
        driver.navigate().refresh();
        openVolume(wait);
        wait.until(d -> voxels(d) == painted);
        // the undo history lives on the server too (until it restarts): the brush stroke is the last change left
        driver.findElement(By.id("undo")).click();
        wait.until(d -> d.findElement(By.id("status")).getText().startsWith("undone: brush"));
        wait.until(d -> voxels(d) == 0);
        assertThat(driver.findElement(By.id("undo")).isEnabled()).isFalse();

        // zoom and pan change what the canvas shows; fit restores it
        canvas = driver.findElement(By.id("view"));
        driver.findElement(By.id("fit")).click();
        int[] before = stablePixels(canvas);
        driver.findElement(By.id("zoom-in")).click();
        int[] zoomed = stablePixels(canvas);
        assertThat(Arrays.equals(zoomed, before)).as("zoom changed the view").isFalse();
        driver.findElement(By.cssSelector("#tools button[data-tool='pan']")).click();
        new Actions(driver).moveToElement(canvas, 0, 0).clickAndHold().moveByOffset(50, 20).release().perform();
        assertThat(Arrays.equals(stablePixels(canvas), zoomed)).as("pan changed the view").isFalse();
        driver.findElement(By.id("fit")).click();
        assertThat(Arrays.equals(stablePixels(canvas), before)).as("fit restored the view").isTrue();

        // slices and axes
        driver.findElement(By.cssSelector("#axes button[data-axis='coronal']")).click();
        wait.until(d -> d.findElement(By.id("slice-label")).getText().startsWith("coronal 16 / 31"));
        new Actions(driver).moveToElement(canvas).click().sendKeys(org.openqa.selenium.Keys.ARROW_UP).perform();
        wait.until(d -> d.findElement(By.id("slice-label")).getText().startsWith("coronal 17"));
    }

    @Test
    void corruptUploadShowsErrorAndServerKeepsRunning() throws Exception {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        driver.get(server.address());
        wait.until(d -> !d.findElements(By.cssSelector("#files li")).isEmpty());
        Path bad = work.resolve("broken.nii.gz");
        Files.write(bad, new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7});
        driver.findElement(By.id("upload")).sendKeys(bad.toString());
        wait.until(d -> d.findElement(By.id("status")).getAttribute("class").contains("error"));
        assertThat(driver.findElement(By.id("status")).getText()).contains("broken.nii.gz");
        // still serving: open the good volume
        driver.findElement(By.cssSelector("#files li[data-path='scans']")).click();
        wait.until(d -> !d.findElements(By.cssSelector("#files li[data-path='scans/ct.nii.gz']")).isEmpty());
        driver.findElement(By.cssSelector("#files li[data-path='scans/ct.nii.gz']")).click();
        wait.until(d -> d.findElement(By.id("slice-label")).getText().startsWith("axial"));
    }

    /** The canvas's pixels once two screenshots in a row agree (the page draws after its requests return). */
    static int[] stablePixels(WebElement canvas) throws Exception {
        int[] last = null;
        for (int k = 0; k < 50; k++) {
            var img = ImageIO.read(new ByteArrayInputStream(canvas.getScreenshotAs(OutputType.BYTES)));
            int[] px = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
            if (last != null && Arrays.equals(px, last)) {
                return px;
            }
            last = px;
            Thread.sleep(100);
        }
        throw new AssertionError("the canvas kept changing");
    }

    /** Pixels of the canvas tinted yellow (a candidate mask) or in a class colour: clearly not grey. */
    static int overlayPixels(WebElement canvas) throws Exception {
        var img = ImageIO.read(new ByteArrayInputStream(canvas.getScreenshotAs(OutputType.BYTES)));
        int n = 0;
        for (int yy = 0; yy < img.getHeight(); yy++) {
            for (int xx = 0; xx < img.getWidth(); xx++) {
                int p = img.getRGB(xx, yy);
                int r = (p >> 16) & 255;
                int g = (p >> 8) & 255;
                int b = p & 255;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60) {
                    n++;
                }
            }
        }
        return n;
    }

    static File file(Path p) {
        return p.toFile();
    }
}
