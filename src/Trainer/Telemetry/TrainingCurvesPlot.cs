using ScottPlot;

namespace Distill.Trainer.Telemetry;

/// <summary>The end-of-training picture: losses (training and validation, log10) above, codebook
/// utilization per RVQ level (validation) below, both against the step.</summary>
public static class TrainingCurvesPlot
{
    public static void Save(string pngPath, IReadOnlyList<MetricRecord> records, int width = 1000, int height = 800)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        var losses = multiplot.GetPlot(0);
        var utilization = multiplot.GetPlot(1);

        foreach (var (phase, label) in new[] { ("train", "train"), ("val", "validation") })
            foreach (var key in new[] { "loss", "mel_loss", "stft_loss" })
                AddSeries(losses, records.Where(r => r.Phase == phase), key, $"{label} {key.Replace('_', ' ')}",
                          Math.Log10);
        losses.Title("Losses");
        losses.YLabel("log10 loss");
        losses.XLabel("step");
        losses.ShowLegend(Alignment.UpperRight);

        var validation = records.Where(r => r.Phase == "val").ToArray();
        var levelKeys = validation.SelectMany(r => r.Values.Keys).Where(k => k.StartsWith("util_l")).Distinct()
            .Order().ToArray();
        foreach (var key in levelKeys) AddSeries(utilization, validation, key, $"level {key[6..]}", v => v);
        utilization.Title("Codebook utilization (validation)");
        utilization.YLabel("codes used %");
        utilization.XLabel("step");
        utilization.Axes.SetLimitsY(0, 105);
        if (levelKeys.Length > 0) utilization.ShowLegend(Alignment.LowerRight);

        string tmp = pngPath + ".tmp.png";
        multiplot.SavePng(tmp, width, height);
        File.Move(tmp, pngPath, overwrite: true);
    }

    static void AddSeries(Plot plot, IEnumerable<MetricRecord> records, string key, string label,
                          Func<double, double> transform)
    {
        var points = records.Where(r => r.Values.TryGetValue(key, out double v) && double.IsFinite(v)
                                        && (transform == Math.Log10 ? v > 0 : true))
                            .Select(r => ((double)r.Step, transform(r.Values[key]))).ToArray();
        if (points.Length == 0) return;
        var scatter = plot.Add.Scatter(points.Select(p => p.Item1).ToArray(), points.Select(p => p.Item2).ToArray());
        scatter.LegendText = label;
        scatter.MarkerSize = points.Length > 50 ? 0 : 4;
    }
}
