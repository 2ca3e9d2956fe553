using Distill.Runtime.Bundle;
using Distill.Runtime.Inference;

namespace Distill.Runtime.Engine;

/// <summary>
/// A loaded sound world: its manifest, OnnxRuntime sessions, anchors, and the pre-rendered opening of every
/// anchor a key can reach, so a note sounds the instant it arrives while generation catches up behind it.
/// </summary>
public sealed class World : IDisposable
{
    /// <summary>Model-rate samples of each note that come from the pre-rendered opening (512 ms: time for the worker to
    /// decode the first steps of four notes struck together on a busy 2-core machine).</summary>
    public const int OpeningSamples = 24576;
    /// <summary>The last part of the opening crossfades into the generated stream.</summary>
    public const int HandoverSamples = 2048;
    /// <summary>MIDI keys: anchors past this many can only be reached by the morph target.</summary>
    const int Keys = 128;

    public string Name { get; }
    public WorldManifest Manifest { get; }
    public WorldModels Models { get; }
    public AnchorTokens[] Anchors { get; }
    public int SampleRate => Manifest.Audio.SampleRate;
    readonly float[][] openings;
    readonly PriorBatch? priors;     // none when the world is loaded without voices (to check it plays)
    readonly VoiceRenderer[] voices;

    /// <summary>Batches the prior reads of this world's voices (used by the generation worker only).</summary>
    public PriorLockstep? Lockstep { get; }

    World(string name, WorldManifest manifest, WorldModels models, AnchorTokens[] anchors, int voiceCount)
    {
        Name = name; Manifest = manifest; Models = models; Anchors = anchors;
        if (voiceCount > 0)
        {
            priors = new PriorBatch(models.Prior, manifest.Prior, manifest.Quantizer.CodebookSize, voiceCount);
            Lockstep = new PriorLockstep(priors);
        }
        voices = Enumerable.Range(0, voiceCount).Select(v => new VoiceRenderer(models, priors!, v)).ToArray();
        int count = Math.Min(anchors.Length, Keys);
        openings = OpeningCache.TryRead(manifest, count, OpeningSamples) ?? RenderOpenings(count);
    }

    /// <summary>Every opening, rendered on all cores (each with a renderer of its own), then cached: the same world is
    /// ready at once next time.</summary>
    float[][] RenderOpenings(int count)
    {
        var result = new float[count][];
        var defaults = GenerationControls.Defaults with { Variation = 0 };
        Parallel.For(0, count,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Clamp(Environment.ProcessorCount, 1, 4) },
            () => new VoiceRenderer(Models, generative: false),
            (a, _, renderer) =>
            {
                var opening = new float[OpeningSamples];
                var hop = new float[renderer.Hop];
                renderer.Start(Anchors[a], MorphTarget(a), seed: 0, defaults);
                for (int n = 0; n < OpeningSamples; n += hop.Length)
                {
                    renderer.Render(defaults, hop);
                    hop.AsSpan(0, Math.Min(hop.Length, OpeningSamples - n)).CopyTo(opening.AsSpan(n));
                }
                result[a] = opening;
                return renderer;
            },
            renderer => renderer.Dispose());
        OpeningCache.TryWrite(Manifest, result);
        return result;
    }

    /// <summary>Opens, validates and prepares a bundle with renderers for <paramref name="voiceCount"/> voices.
    /// Throws <see cref="InvalidWorldException"/> with every problem found.</summary>
    public static World Load(string path, int voiceCount)
    {
        var bundle = WorldBundle.Open(path);
        var models = WorldModels.Create(bundle.Manifest, bundle.Models, path);
        try
        {
            return new World(bundle.Manifest.Name, bundle.Manifest, models, bundle.Anchors.ToArray(), voiceCount);
        }
        catch
        {
            models.Dispose();
            throw;
        }
    }

    /// <summary>Keys map to anchors in order, wrapping.</summary>
    public int AnchorForKey(int key) => key % openings.Length;

    /// <summary>The anchor a note on <paramref name="anchor"/> morphs toward: the next one.</summary>
    public AnchorTokens MorphTarget(int anchor) => Anchors[(anchor + 1) % Anchors.Length];

    public float[] Opening(int anchor) => openings[anchor];

    /// <summary>The renderer of voice slot <paramref name="slot"/> (used by the generation worker only).</summary>
    public VoiceRenderer Voice(int slot) => voices[slot];

    public void Dispose()
    {
        foreach (var v in voices) v.Dispose();
        priors?.Dispose();
        Models.Dispose();
    }
}
