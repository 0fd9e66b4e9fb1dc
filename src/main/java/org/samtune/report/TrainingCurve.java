package org.samtune.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.samtune.SamtuneException;
import org.samtune.io.AtomicFiles;

/**
 * The training-curve PNG of a run: mean training loss per epoch and validation loss (left axis), validation mean
 * Dice (right axis), against the epoch. Rendered headless with XChart.
 */
public final class TrainingCurve {
    private TrainingCurve() {}

    public static void write(Path png, List<MetricsCsv.Row> rows, String title) {
        System.setProperty("java.awt.headless", "true");
        Map<Integer, double[]> trainByEpoch = new TreeMap<>(); // epoch → {sum, count}
        List<Double> valEpochs = new ArrayList<>();
        List<Double> valLoss = new ArrayList<>();
        List<Double> valDice = new ArrayList<>();
        for (MetricsCsv.Row r : rows) {
            if (r.isTrain()) {
                if (Double.isFinite(r.loss())) {
                    double[] acc = trainByEpoch.computeIfAbsent(r.epoch(), e -> new double[2]);
                    acc[0] += r.loss();
                    acc[1]++;
                }
            } else {
                valEpochs.add((double) r.epoch());
                valLoss.add(r.valLoss());
                valDice.add(r.valDice());
            }
        }
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle("epoch").yAxisTitle("loss").build();
        chart.getStyler().setYAxisGroupPosition(1, org.knowm.xchart.style.Styler.YAxisPosition.Right);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
        if (!trainByEpoch.isEmpty()) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            trainByEpoch.forEach((e, acc) -> {
                x.add((double) e);
                y.add(acc[0] / acc[1]);
            });
            XYSeries s = chart.addSeries("train loss (epoch mean)", x, y);
            s.setMarker(SeriesMarkers.NONE);
        }
        if (!valEpochs.isEmpty()) {
            chart.addSeries("val loss", valEpochs, valLoss).setMarker(SeriesMarkers.CIRCLE);
            XYSeries d = chart.addSeries("val Dice (the selection score)", valEpochs, valDice);
            d.setMarker(SeriesMarkers.DIAMOND);
            d.setYAxisGroup(1);
            chart.setYAxisGroupTitle(1, "Dice");
        }
        if (trainByEpoch.isEmpty() && valEpochs.isEmpty()) {
            chart.addSeries("no data yet", new double[] {0}, new double[] {0}).setMarker(SeriesMarkers.NONE);
        }
        byte[] bytes;
        try {
            bytes = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new SamtuneException(png + ": cannot render the training curve: " + e.getMessage(), e);
        }
        AtomicFiles.writeBytes(png, bytes);
    }
}
