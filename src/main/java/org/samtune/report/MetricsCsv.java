package org.samtune.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.samtune.SamtuneException;
import org.samtune.io.AtomicFiles;

/**
 * A run's {@code metrics.csv}: one row per training iteration ({@code kind=train}) and one per validation
 * ({@code kind=val}), in a single table so that a spreadsheet or pandas reads it directly. Columns:
 * {@code kind,epoch,iter,loss,dice_loss,ce_loss,lr,val_loss,val_dice,val_dice_c0..val_dice_c<C-1>}; cells that do not
 * apply to the row are empty. Rows are appended and flushed one by one, so the file can be watched while training.
 * {@code val_dice} is the score the run selects its best checkpoint by (samtune: the mean over foreground classes;
 * {@code --compat finetune-sam}: over every class including the background), the same number the console, train.log
 * and the training curve show.
 */
public final class MetricsCsv implements AutoCloseable {
    private final Path file;
    private final int numClasses;
    private BufferedWriter out;

    /** A row read back from the file. NaN marks an empty cell. */
    public record Row(String kind, int epoch, long iter, double loss, double diceLoss, double ceLoss, double lr,
            double valLoss, double valDice, double[] valDicePerClass) {
        public boolean isTrain() {
            return kind.equals("train");
        }
    }

    private MetricsCsv(Path file, int numClasses) {
        this.file = file;
        this.numClasses = numClasses;
    }

    public static String header(int numClasses) {
        StringBuilder h = new StringBuilder("kind,epoch,iter,loss,dice_loss,ce_loss,lr,val_loss,val_dice");
        for (int c = 0; c < numClasses; c++) {
            h.append(",val_dice_c").append(c);
        }
        return h.toString();
    }

    /**
     * Opens {@code file} for appending; a new file gets the header. With {@code completedIters} ≥ 0 (resume), the rows
     * the checkpoint being resumed does not contain are removed first: training rows of iteration
     * {@code completedIters} or later (their {@code iter} is the 0-based step) and validations after more than
     * {@code completedIters} iterations, so that the file ends as an uninterrupted run's would at that point.
     */
    public static MetricsCsv open(Path file, int numClasses, long completedIters) {
        MetricsCsv m = new MetricsCsv(file, numClasses);
        try {
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                if (lines.isEmpty() || !lines.get(0).equals(header(numClasses))) {
                    throw new SamtuneException(file + ": header does not match this run (" + numClasses
                            + " classes): expected '" + header(numClasses) + "'");
                }
                if (completedIters >= 0) {
                    StringBuilder kept = new StringBuilder();
                    for (int i = 0; i < lines.size(); i++) {
                        String line = lines.get(i);
                        long iter = i == 0 ? -1 : parseIter(file, line, i + 1);
                        if (i == 0 || (line.startsWith("train,") ? iter < completedIters : iter <= completedIters)) {
                            kept.append(line).append('\n');
                        }
                    }
                    AtomicFiles.writeString(file, kept.toString());
                }
            } else {
                AtomicFiles.writeString(file, header(numClasses) + "\n");
            }
            m.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new SamtuneException(file + ": cannot open for appending: " + e.getMessage(), e);
        }
        return m;
    }

    public Path file() {
        return file;
    }

    public void train(int epoch, long iter, double loss, double diceLoss, double ceLoss, double lr) {
        StringBuilder r = new StringBuilder("train,").append(epoch).append(',').append(iter).append(',')
                .append(num(loss)).append(',').append(num(diceLoss)).append(',').append(num(ceLoss)).append(',')
                .append(num(lr)).append(",,");
        r.append(",".repeat(numClasses));
        write(r.toString());
    }

    /**
     * A validation row; {@code iter} is the number of training iterations done so far, {@code score} the Dice the
     * run selects by.
     */
    public void validation(int epoch, long iter, double valLoss, double score, double[] dicePerClass) {
        if (dicePerClass.length != numClasses) {
            throw new IllegalArgumentException("expected " + numClasses + " per-class Dice values, got " + dicePerClass.length);
        }
        double mean = score;
        StringBuilder r = new StringBuilder("val,").append(epoch).append(',').append(iter).append(",,,,,")
                .append(num(valLoss)).append(',').append(num(mean));
        for (double d : dicePerClass) {
            r.append(',').append(num(d));
        }
        write(r.toString());
    }

    private void write(String line) {
        try {
            out.write(line);
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new SamtuneException(file + ": cannot append: " + e.getMessage(), e);
        }
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "nan" : String.format(Locale.ROOT, "%.8g", v);
    }

    /** Every row of a metrics file. */
    public static List<Row> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SamtuneException(file + ": cannot read: " + e.getMessage(), e);
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            if (f.length < 9) {
                throw new SamtuneException(file + " line " + (i + 1) + ": expected at least 9 columns, got " + f.length);
            }
            try {
                double[] perClass = new double[f.length - 9];
                for (int c = 0; c < perClass.length; c++) {
                    perClass[c] = cell(f[9 + c]);
                }
                rows.add(new Row(f[0], Integer.parseInt(f[1]), Long.parseLong(f[2]), cell(f[3]), cell(f[4]), cell(f[5]),
                        cell(f[6]), cell(f[7]), cell(f[8]), perClass));
            } catch (NumberFormatException e) {
                throw new SamtuneException(file + " line " + (i + 1) + ": not a number: " + e.getMessage(), e);
            }
        }
        return rows;
    }

    private static long parseIter(Path file, String line, int lineNo) {
        String[] f = line.split(",", -1);
        try {
            return Long.parseLong(f[2]);
        } catch (RuntimeException e) {
            throw new SamtuneException(file + " line " + lineNo + ": expected an iteration number in column 3");
        }
    }

    private static double cell(String s) {
        return s.isEmpty() || s.equals("nan") ? Double.NaN : Double.parseDouble(s);
    }

    @Override
    public void close() {
        try {
            if (out != null) {
                out.close();
            }
        } catch (IOException e) {
            throw new SamtuneException(file + ": cannot close: " + e.getMessage(), e);
        }
    }
}
