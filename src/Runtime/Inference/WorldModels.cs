using Distill.Runtime.Bundle;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Distill.Runtime.Inference;

/// <summary>
/// The three OnnxRuntime sessions of a world, created from the bundle's members and checked against its
/// manifest: every input and output must exist with the element type and the fixed dimensions the manifest
/// implies (symbolic dimensions where time varies). Sessions are shared by all voices; each voice binds its own
/// buffers (<see cref="PriorStep"/>, <see cref="DecoderWindow"/>).
/// </summary>
public sealed class WorldModels : IDisposable
{
    public InferenceSession Encoder { get; }
    public InferenceSession Decoder { get; }
    public InferenceSession Prior { get; }
    public WorldManifest Manifest { get; }

    WorldModels(WorldManifest manifest, InferenceSession encoder, InferenceSession decoder, InferenceSession prior)
    {
        Manifest = manifest; Encoder = encoder; Decoder = decoder; Prior = prior;
    }

    /// <exception cref="InvalidWorldException">A graph does not match the manifest, or OnnxRuntime rejects it.</exception>
    public static WorldModels Create(WorldManifest manifest, byte[] encoder, byte[] decoder, byte[] prior)
    {
        var sessions = new List<InferenceSession>();
        try
        {
            using var options = RealtimeSessionOptions.Create();
            InferenceSession Open(string member, byte[] bytes)
            {
                try
                {
                    var s = new InferenceSession(bytes, options);
                    sessions.Add(s);
                    return s;
                }
                catch (OnnxRuntimeException e)
                {
                    throw new InvalidWorldException([$"{member}: OnnxRuntime cannot load it ({e.Message.Split('\n')[0]})"]);
                }
            }
            var models = new WorldModels(manifest, Open(WorldGraphs.EncoderMember, encoder), Open(WorldGraphs.DecoderMember, decoder),
                                         Open(WorldGraphs.PriorStepMember, prior));
            var problems = ShapeProblems(models).ToList();
            if (problems.Count > 0) throw new InvalidWorldException(problems);
            return models;
        }
        catch
        {
            foreach (var s in sessions) s.Dispose();
            throw;
        }
    }

    /// <summary>Expected element type and dims per input/output; −1 marks a symbolic (time) dimension.</summary>
    static IEnumerable<(string Member, bool Input, string Name, TensorElementType Type, long[] Dims)> Expected(WorldManifest m)
    {
        int f = m.Grid.FrequencyPositions, l = m.Quantizer.Levels, mels = m.Audio.Mels, bins = m.Audio.NFft / 2 + 1;
        var p = m.Prior;
        const TensorElementType F32 = TensorElementType.Float, I64 = TensorElementType.Int64;
        string enc = WorldGraphs.EncoderMember, dec = WorldGraphs.DecoderMember, pri = WorldGraphs.PriorStepMember;
        yield return (enc, true, WorldGraphs.Encoder.LogMel, F32, [1, 1, mels, -1]);
        yield return (enc, false, WorldGraphs.Encoder.Codes, I64, [1, -1, f, l]);
        yield return (dec, true, WorldGraphs.Decoder.Codes, I64, [1, -1, f, l]);
        yield return (dec, true, WorldGraphs.Decoder.MorphCodes, I64, [1, -1, f, l]);
        yield return (dec, true, WorldGraphs.Decoder.Morph, F32, [1, -1]);
        yield return (dec, true, WorldGraphs.Decoder.LevelGain, F32, [l]);
        yield return (dec, false, WorldGraphs.Decoder.Magnitude, F32, [1, -1, bins]);
        yield return (dec, false, WorldGraphs.Decoder.LogMel, F32, [1, 1, mels, -1]);
        long[] cache = [p.Layers, p.Heads, p.CacheSlots, p.HeadDim], fresh = [p.Layers, p.Heads, 1, p.HeadDim];
        yield return (pri, true, WorldGraphs.PriorStep.PreviousToken, I64, [1]);
        yield return (pri, true, WorldGraphs.PriorStep.Slot, I64, [1]);
        yield return (pri, true, WorldGraphs.PriorStep.RopeCos, F32, [1, p.HeadDim / 2]);
        yield return (pri, true, WorldGraphs.PriorStep.RopeSin, F32, [1, p.HeadDim / 2]);
        yield return (pri, true, WorldGraphs.PriorStep.PastKeys, F32, cache);
        yield return (pri, true, WorldGraphs.PriorStep.PastValues, F32, cache);
        yield return (pri, true, WorldGraphs.PriorStep.PastMask, F32, [p.CacheSlots]);
        yield return (pri, false, WorldGraphs.PriorStep.Logits, F32, [1, m.Quantizer.CodebookSize]);
        yield return (pri, false, WorldGraphs.PriorStep.NewKeys, F32, fresh);
        yield return (pri, false, WorldGraphs.PriorStep.NewValues, F32, fresh);
    }

    static IEnumerable<string> ShapeProblems(WorldModels models)
    {
        foreach (var (member, input, name, type, dims) in Expected(models.Manifest))
        {
            var session = member == WorldGraphs.EncoderMember ? models.Encoder : member == WorldGraphs.DecoderMember ? models.Decoder : models.Prior;
            var table = input ? session.InputMetadata : session.OutputMetadata;
            string kind = input ? "input" : "output";
            if (!table.TryGetValue(name, out var meta))
            {
                yield return $"{member}: no {kind} '{name}'";
                continue;
            }
            if (!meta.IsTensor || meta.ElementDataType != type)
            {
                yield return $"{member}: {kind} '{name}' is {meta.ElementDataType}, expected {type}";
                continue;
            }
            var actual = meta.Dimensions;
            bool same = actual.Length == dims.Length;
            for (int i = 0; same && i < dims.Length; i++)
                same = dims[i] < 0 ? actual[i] < 0 || actual[i] > 0 : actual[i] == dims[i];
            if (!same)
                yield return $"{member}: {kind} '{name}' has shape [{string.Join(", ", actual)}], the manifest implies [{string.Join(", ", dims.Select(d => d < 0 ? "?" : d.ToString()))}]";
        }
        foreach (var (member, session, expected) in new[]
                 {
                     (WorldGraphs.EncoderMember, models.Encoder, 1),
                     (WorldGraphs.DecoderMember, models.Decoder, 4),
                     (WorldGraphs.PriorStepMember, models.Prior, 7),
                 })
            if (session.InputMetadata.Count != expected)
                yield return $"{member}: {session.InputMetadata.Count} inputs, expected {expected}";
    }

    public void Dispose()
    {
        Encoder.Dispose();
        Decoder.Dispose();
        Prior.Dispose();
    }
}
