using Distill.Runtime.Audio;
using Distill.Runtime.Bundle;
using Distill.Runtime.Dsp;
using Distill.Runtime.Engine;
using Distill.Runtime.Inference;

namespace Distill.Trainer.Studio;

/// <summary>Waveform peaks and a small log-mel image of an anchor's sound, for the anchors list.</summary>
public sealed record AnchorThumbnail(float[] Peaks, int SpectrogramColumns, int SpectrogramRows, byte[] Spectrogram);

/// <summary>
/// An anchor's codes as the page plays them (<see cref="VoiceRenderer.Replay"/>: the plugins' own renderer), as WAV
/// bytes, with thumbnails.
/// </summary>
public static class AnchorAudition
{
    /// <summary>16-bit mono WAV bytes (for the page's audio element).</summary>
    public static byte[] Wav(float[] audio, int sampleRate)
    {
        string temp = Path.Combine(Path.GetTempPath(), $"distill-studio-{Guid.NewGuid():N}.wav");
        try
        {
            WavWriter.Write(temp, audio, sampleRate);
            return File.ReadAllBytes(temp);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public static AnchorThumbnail Thumbnail(float[] audio, int sampleRate, int columns = 160,
                                            int spectrogramColumns = 64, int spectrogramRows = 32)
    {
        var peaks = new float[columns];
        for (int c = 0; c < columns; c++)
        {
            int from = (int)((long)audio.Length * c / columns), to = (int)((long)audio.Length * (c + 1) / columns);
            for (int i = from; i < to; i++) peaks[c] = Math.Max(peaks[c], Math.Abs(audio[i]));
        }
        var features = new LogMelFeatures(new FeatureConfig { SampleRate = sampleRate });
        var mel = features.LogMel(audio, out int frames);
        int mels = features.Config.Mels;
        // Averages of log power per cell, scaled to 0–255 over the clip's own range (dark = quiet).
        var cells = new double[spectrogramColumns * spectrogramRows];
        var counts = new int[cells.Length];
        for (int f = 0; f < frames; f++)
            for (int m = 0; m < mels; m++)
            {
                int cell = (spectrogramRows - 1 - m * spectrogramRows / mels) * spectrogramColumns
                           + f * spectrogramColumns / Math.Max(1, frames);
                cells[cell] += mel[f * mels + m];
                counts[cell]++;
            }
        for (int i = 0; i < cells.Length; i++) cells[i] = counts[i] > 0 ? cells[i] / counts[i] : double.NaN;
        double low = cells.Where(double.IsFinite).DefaultIfEmpty(0).Min(),
            high = cells.Where(double.IsFinite).DefaultIfEmpty(1).Max();
        var image = cells.Select(v => double.IsFinite(v)
            ? (byte)Math.Clamp(255 * (v - low) / Math.Max(1e-9, high - low), 0, 255)
            : (byte)0).ToArray();
        return new AnchorThumbnail(peaks, spectrogramColumns, spectrogramRows, image);
    }
}
