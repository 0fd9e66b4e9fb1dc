package org.samtune.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TaskProgressTest {
    static final long S = 1_000_000_000L;

    @Test
    void aPipeGetsTheFirstStepALineAtLeastEvery30SecondsAndTheLast() {
        StringWriter text = new StringWriter();
        AtomicLong now = new AtomicLong(0);
        TaskProgress p = new TaskProgress(new PrintWriter(text), false, "predict: axial slice", now::get);
        // 100 slices of 4 s each: 400 s in all
        for (int s = 1; s <= 100; s++) {
            now.addAndGet(4 * S);
            p.update(s, 100);
        }
        List<String> lines = text.toString().lines().toList();
        assertThat(lines.get(0)).isEqualTo("predict: axial slice 1/100 (1%)  elapsed 00:00:04  ETA 00:06:36");
        assertThat(lines.get(lines.size() - 1)).isEqualTo(
                "predict: axial slice 100/100 (100%)  elapsed 00:06:40  ETA 00:00:00");
        // a line at least every 30 s: 400 s need at least 400 / 30 lines, and not one per slice
        assertThat(lines.size()).isBetween(14, 16);
        long previous = 0;
        for (String l : lines) {
            String hms = l.replaceAll(".*elapsed (\\d\\d:\\d\\d:\\d\\d).*", "$1");
            long t = Long.parseLong(hms.substring(0, 2)) * 3600 + Long.parseLong(hms.substring(3, 5)) * 60
                    + Long.parseLong(hms.substring(6));
            assertThat(t - previous).isLessThanOrEqualTo(32);
            previous = t;
        }
    }

    @Test
    void aTerminalGetsOneLineRedrawnInPlace() {
        StringWriter text = new StringWriter();
        AtomicLong now = new AtomicLong(0);
        TaskProgress p = new TaskProgress(new PrintWriter(text), true, "predict: axial slice", now::get);
        for (int s = 1; s <= 10; s++) {
            now.addAndGet(S);
            p.update(s, 10);
        }
        String out = text.toString();
        assertThat(out).startsWith("\rpredict: axial slice 1/10").endsWith("10/10 (100%)  elapsed 00:00:10  ETA "
                + "00:00:00\n");
        assertThat(out.chars().filter(c -> c == '\r').count()).isEqualTo(10);
        assertThat(out.chars().filter(c -> c == '\n').count()).isEqualTo(1);
    }
}
