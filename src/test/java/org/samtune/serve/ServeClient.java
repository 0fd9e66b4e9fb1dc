package org.samtune.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** HTTP calls to a test server, the CSRF token read from the page as the browser does. */
final class ServeClient {
    final int port;
    final String csrf;
    final HttpClient http = HttpClient.newHttpClient();

    ServeClient(SamtuneServer server) throws Exception {
        this.port = server.port();
        String page = get("/").body();
        Matcher m = Pattern.compile("name=\"samtune-csrf\" content=\"([0-9a-f]+)\"").matcher(page);
        if (!m.find()) {
            throw new AssertionError("no CSRF token in the page");
        }
        this.csrf = m.group(1);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> getBytes(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return post(path, json, Map.of(SamtuneServer.CSRF_HEADER, csrf));
    }

    HttpResponse<String> post(String path, String json, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json");
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postBytes(String path, byte[] body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/octet-stream").header(SamtuneServer.CSRF_HEADER, csrf).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A raw request line, for what HttpClient refuses to send (a foreign Host, an undecoded path). */
    static String raw(int port, String requestHead) throws IOException {
        return raw(port, requestHead, new byte[0]);
    }

    /** A raw request head and as much of its body as given; the answer is read after the last byte is written. */
    static String raw(int port, String requestHead, byte[] body) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            // a server that never answers fails the test instead of hanging the suite
            s.setSoTimeout(30_000);
            OutputStream o = s.getOutputStream();
            o.write(requestHead.getBytes(StandardCharsets.ISO_8859_1));
            o.write(body);
            o.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
