package org.samtune.serve;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Takes docs/serve.png: the page in headless Chromium on data/colin27 with a click's mask candidates shown.
 * Not a test. Run: {@code mvn -q -DskipTests test-compile dependency:build-classpath -Dmdep.includeScope=test
 * -Dmdep.outputFile=target/test-cp.txt && java -cp target/test-classes:target/classes:$(cat target/test-cp.txt)
 * org.samtune.serve.ServeScreenshot ROOT CHECKPOINT docs/serve.png}
 */
public final class ServeScreenshot {
    private ServeScreenshot() {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        Path checkpoint = Path.of(args[1]);
        Path out = Path.of(args[2]);
        Path profile = Files.createTempDirectory("samtune-shot");
        try (SamtuneServer server = new SamtuneServer(new ServeOptions(root, "127.0.0.1", 0, checkpoint, null,
                64L << 20, 8, 2))) {
            server.start();
            WebDriver driver = ServeBrowserTest.chromium(profile);
            try {
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(120));
                driver.get(server.address());
                wait.until(d -> !d.findElements(By.cssSelector("#files li[data-path='colin27']")).isEmpty());
                driver.findElement(By.cssSelector("#files li[data-path='colin27']")).click();
                wait.until(d -> !d.findElements(By.cssSelector("#files li[data-path='colin27/ch2.nii.gz']")).isEmpty());
                driver.findElement(By.cssSelector("#files li[data-path='colin27/ch2.nii.gz']")).click();
                wait.until(d -> d.findElement(By.id("slice-label")).getText().startsWith("axial"));
                WebElement canvas = driver.findElement(By.id("view"));
                new Actions(driver).moveToElement(canvas, 40, -60).click().perform();
                wait.until(d -> d.findElements(By.cssSelector("#candidates button")).size() == 3);
                driver.findElement(By.id("accept")).click();
                wait.until(d -> d.findElement(By.id("status")).getText().startsWith("accepted"));
                new Actions(driver).moveToElement(canvas, -80, 40).click().perform();
                new Actions(driver).moveToElement(canvas, -40, 60).contextClick().perform();
                wait.until(d -> d.findElement(By.id("prompts")).getText().contains("bg"));
                wait.until(d -> d.findElement(By.id("status")).getText().contains("decoder"));
                Files.write(out, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            } finally {
                driver.quit();
            }
        }
    }
}
