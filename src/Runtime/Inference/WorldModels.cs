using Distill.Runtime.Bundle;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Distill.Runtime.Inference;

/// <summary>
/// The three OnnxRuntime sessions of a world, created from the bundle's members and checked against its
/// manifest: every input and output must exist with the element type and the fixed dimensions the manifest
/// implies (symbolic dimensions where time or the batch of voices varies). Sessions are shared by all voices, which
/// bind their own buffers (<see cref="PriorBatch"/>, <see cref="PriorStep"/>, <see cref="StreamingDecoder"/>).
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

    /// <param name="bundleName">How problems name the bundle (its path).</param>
    /// <exception cref="InvalidWorldException">OnnxRuntime rejects a graph, or a graph does not match
    /// the manifest.</exception>
    public static WorldModels Create(WorldManifest manifest, WorldGraphFiles graphs, string bundleName)
    {
        var sessions = new List<InferenceSession>();
        try
        {
            InferenceSession Open(string member, byte[] bytes)
            {
                try
                {
                    var s = InferenceDevice.Open(bytes);
                    sessions.Add(s);
                    return s;
                }
                catch (OnnxRuntimeException e)
                {
                    throw new InvalidWorldException(bundleName, [$"{member}: OnnxRuntime cannot load it " +
                                                                 $"({e.Message.Split('\n')[0]})"]);
                }
            }
            var models = new WorldModels(manifest, Open(WorldGraphs.EncoderMember, graphs.Encoder),
                                         Open(WorldGraphs.DecoderMember, graphs.Decoder),
                                         Open(WorldGraphs.PriorStepMember, graphs.PriorStep));
            var problems = GraphShapes.For(manifest)
                                      .SelectMany(g => ShapeProblems(g, models.Session(g.Member))).ToList();
            if (problems.Count > 0) throw new InvalidWorldException(bundleName, problems);
            return models;
        }
        catch
        {
            foreach (var s in sessions) s.Dispose();
            throw;
        }
    }

    InferenceSession Session(string member) =>
        member == WorldGraphs.EncoderMember ? Encoder : member == WorldGraphs.DecoderMember ? Decoder : Prior;

    /// <summary>Inputs and outputs must be exactly the contract's, with its element types and
    /// fixed dimensions.</summary>
    static IEnumerable<string> ShapeProblems(GraphShape expected, InferenceSession session)
    {
        foreach (var (kind, wanted, actual) in new[] { ("input", expected.Inputs, session.InputMetadata),
                                                       ("output", expected.Outputs, session.OutputMetadata) })
        {
            foreach (var t in wanted)
            {
                if (!actual.TryGetValue(t.Name, out var meta))
                {
                    yield return $"{expected.Member}: no {kind} '{t.Name}'";
                    continue;
                }
                var type = t.Element == TensorElement.Float32 ? TensorElementType.Float : TensorElementType.Int64;
                if (!meta.IsTensor || meta.ElementDataType != type)
                {
                    yield return $"{expected.Member}: {kind} '{t.Name}' is {meta.ElementDataType}, expected {type}";
                    continue;
                }
                var dims = meta.Dimensions;
                bool same = dims.Length == t.Dims.Length;
                for (int i = 0; same && i < dims.Length; i++) same = t.Dims[i] < 0 || dims[i] == t.Dims[i];
                if (!same)
                    yield return $"{expected.Member}: {kind} '{t.Name}' has shape [{string.Join(", ", dims)}], " +
                                 "the manifest implies " +
                                 $"[{string.Join(", ", t.Dims.Select(d => d < 0 ? "?" : d.ToString()))}]";
            }
            foreach (var name in actual.Keys.Except(wanted.Select(t => t.Name)))
                yield return $"{expected.Member}: unexpected {kind} '{name}'";
        }
    }

    public void Dispose()
    {
        Encoder.Dispose();
        Decoder.Dispose();
        Prior.Dispose();
    }
}
