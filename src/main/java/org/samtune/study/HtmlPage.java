package org.samtune.study;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A self-contained HTML page: styles inline, images as {@code data:} URIs, plots as inline SVG, no script. Its
 * Content-Security-Policy forbids every request except to the page itself and {@code data:} images, so a browser
 * opening it offline shows everything and fetches nothing.
 */
final class HtmlPage {
    private static final String STYLE = """
            body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:1200px;
            color:#1d232a;padding:0 1em;line-height:1.4}
            h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ccd;padding-bottom:.2em}
            h3{margin-top:1.4em}table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
            th,td{border:1px solid #ccd;padding:.25em .6em;text-align:right}th{background:#eef1f5}
            td.l,th.l{text-align:left}tr.best td{font-weight:600;background:#f0f8ec}
            pre{background:#f6f8fa;padding:.8em;overflow:auto;font-size:.85em;border:1px solid #e1e4e8}
            .muted{color:#667}.err{color:#a11}figure{display:inline-block;margin:.5em 1em .5em 0;vertical-align:top}
            figcaption{font-size:.85em;color:#445}img{image-rendering:pixelated;border:1px solid #ccd}
            """;

    private final StringBuilder body = new StringBuilder();
    private final String title;

    HtmlPage(String title) {
        this.title = title;
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    HtmlPage h(int level, String text) {
        body.append("<h").append(level).append('>').append(esc(text)).append("</h").append(level).append(">\n");
        return this;
    }

    HtmlPage p(String text) {
        body.append("<p>").append(esc(text)).append("</p>\n");
        return this;
    }

    HtmlPage muted(String text) {
        body.append("<p class=\"muted\">").append(esc(text)).append("</p>\n");
        return this;
    }

    HtmlPage pre(String text) {
        body.append("<pre>").append(esc(text)).append("</pre>\n");
        return this;
    }

    /** Raw markup built by this package (SVG, figures). */
    HtmlPage raw(String html) {
        body.append(html).append('\n');
        return this;
    }

    /**
     * A table; the first {@code textColumns} columns are left-aligned text; rows whose index is in
     * {@code highlight} are marked.
     */
    HtmlPage table(String id, List<String> header, List<List<String>> rows, int textColumns, java.util.Set<Integer> highlight) {
        body.append("<table id=\"").append(esc(id)).append("\"><thead><tr>");
        for (int c = 0; c < header.size(); c++) {
            body.append(c < textColumns ? "<th class=\"l\">" : "<th>").append(esc(header.get(c))).append("</th>");
        }
        body.append("</tr></thead><tbody>\n");
        for (int r = 0; r < rows.size(); r++) {
            body.append(highlight.contains(r) ? "<tr class=\"best\">" : "<tr>");
            List<String> row = rows.get(r);
            for (int c = 0; c < row.size(); c++) {
                body.append(c < textColumns ? "<td class=\"l\">" : "<td>").append(esc(row.get(c))).append("</td>");
            }
            body.append("</tr>\n");
        }
        body.append("</tbody></table>\n");
        return this;
    }

    /** An image inline as a PNG data URI, with a caption. */
    HtmlPage figure(BufferedImage image, String caption, int displayWidth) {
        body.append("<figure><img alt=\"").append(esc(caption)).append("\" width=\"").append(displayWidth)
                .append("\" src=\"").append(dataUri(image)).append("\"><figcaption>").append(esc(caption))
                .append("</figcaption></figure>\n");
        return this;
    }

    static String dataUri(BufferedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    static String dataUri(byte[] png) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }

    static String fmt(double v, int decimals) {
        if (Double.isNaN(v)) {
            return "–";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "∞" : "−∞";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    static String p(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        return v < 1e-4 ? String.format(Locale.ROOT, "%.1e", v) : String.format(Locale.ROOT, "%.4f", v);
    }

    String render() {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                + "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline';"
                + " img-src data:\">\n"
                + "<link rel=\"icon\" href=\"data:,\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<title>" + esc(title) + "</title>\n<style>" + STYLE + "</style></head>\n<body>\n"
                + "<h1>" + esc(title) + "</h1>\n" + body + "</body></html>\n";
    }
}
