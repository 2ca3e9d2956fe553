using Distill.Runtime.Bundle;
using Distill.Runtime.Engine;
using Distill.Runtime.Inference;
using Distill.Runtime.Sampling;

namespace Distill.Trainer.Studio;

/// <summary>A rectangle of one anchor's grid: time steps [T0, T1) × frequency positions [F0, F1) × the listed
/// levels.</summary>
public sealed record GridRegion(int Anchor, int T0, int T1, int F0, int F1, int[] Levels);

/// <summary>Copied codes: <see cref="Codes"/> flattened time step → frequency position → level, in the order of
/// <see cref="Levels"/>.</summary>
public sealed record GridClip(int TimeSteps, int Frequencies, int[] Levels, long[] Codes);

/// <summary>What the page draws: codes and each code's prior probability given everything before it, flattened time
/// step → frequency position → level like the bundle's anchors.</summary>
public sealed record GridView(int Anchor, string Name, int TimeSteps, int Frequencies, int Levels, int CodebookSize,
                              double StepsPerSecond, long[] Codes, float[] Probabilities, bool[] Locked, bool Edited,
                              bool CanUndo, bool CanRedo, int Changed);

/// <summary>
/// One world's code grids being edited: every anchor's codes (a copy), locked cells, and undo/redo history of code
/// changes. Regeneration runs the world's own prior over the anchor from its start: cells outside the region (and
/// locked ones) are fed to it as they are, so the left context conditions each new code, and the rest stays fixed.
/// </summary>
public sealed class CodeGridEdit : IDisposable
{
    sealed record Change(int Anchor, int[] Cells, long[] Before, long[] After);

    readonly LoadedWorld world;
    readonly PriorStep prior;
    readonly long[][] codes;
    readonly bool[][] locked;
    readonly float[]?[] probabilities;
    readonly Stack<Change> undo = new(), redo = new();
    readonly int frequencies, levels, codebookSize;

    public LoadedWorld World => world;

    public CodeGridEdit(LoadedWorld world)
    {
        this.world = world;
        var m = world.Bundle.Manifest;
        frequencies = m.Grid.FrequencyPositions; levels = m.Quantizer.Levels; codebookSize = m.Quantizer.CodebookSize;
        prior = new PriorStep(world.Models.Prior, m.Prior, codebookSize);
        codes = world.Bundle.Anchors.Select(a => (long[])a.Tokens.Clone()).ToArray();
        locked = codes.Select(c => new bool[c.Length]).ToArray();
        probabilities = new float[]?[codes.Length];
    }

    public GridView Grid(int anchor)
    {
        CheckAnchor(anchor);
        var source = world.Bundle.Anchors[anchor];
        probabilities[anchor] ??= Scored(anchor);
        int changed = 0;
        for (int i = 0; i < codes[anchor].Length; i++) if (codes[anchor][i] != source.Tokens[i]) changed++;
        return new GridView(anchor, source.Name, source.TimeSteps, frequencies, levels, codebookSize,
                            world.Bundle.Manifest.Grid.StepsPerSecond, codes[anchor], probabilities[anchor]!,
                            locked[anchor], changed > 0, undo.Count > 0, redo.Count > 0, changed);
    }

    /// <summary>New codes for the region's unlocked cells, drawn from the prior with <paramref name="sampling"/>
    /// and <paramref name="seed"/>. Returns the number of cells regenerated.</summary>
    public int Regenerate(GridRegion region, SamplingSettings sampling, int seed)
    {
        var cells = Cells(region).Where(i => !locked[region.Anchor][i]).ToArray();
        if (cells.Length == 0)
            throw StudioRequestException.BadRequest("Every cell of that region is locked: nothing to regenerate.");
        var before = cells.Select(i => codes[region.Anchor][i]).ToArray();
        var chosen = new bool[codes[region.Anchor].Length];
        foreach (int i in cells) chosen[i] = true;
        // Only cells within reach of a new code change. Each layer's cached keys and values saw one context window
        // before them, so the reach is layers × window both ways: the prior reads from that far before the region
        // (starting on a time step's first token: it knows a token's level and frequency from its slot) to that far
        // after.
        var scores = probabilities[region.Anchor] ??= Scored(region.Anchor);
        var shape = world.Bundle.Manifest.Prior;
        int window = shape.Layers * shape.ContextTokens, first = cells.Min(), last = cells.Max(),
            perStep = frequencies * levels;
        int feedFrom = Math.Max(0, (first - window) / perStep * perStep);
        Score(region.Anchor, feedFrom, first, Math.Min(chosen.Length, last + window), chosen, (sampling, seed), scores);
        Record(new Change(region.Anchor, cells, before, cells.Select(i => codes[region.Anchor][i]).ToArray()));
        return cells.Length;
    }

    /// <summary>Puts <paramref name="clip"/> with its first cell at (<paramref name="timeStep"/>,
    /// <paramref name="frequency"/>) of <paramref name="anchor"/>, on the clip's own levels; locked cells keep their
    /// codes.</summary>
    public int Paste(int anchor, int timeStep, int frequency, GridClip clip)
    {
        if (clip.Codes.Length != clip.TimeSteps * clip.Frequencies * clip.Levels.Length)
            throw StudioRequestException.BadRequest($"The pasted clip holds {clip.Codes.Length} codes, " +
                $"not {clip.TimeSteps} × {clip.Frequencies} × {clip.Levels.Length}.");
        if (clip.Codes.Any(c => c < 0 || c >= codebookSize))
            throw StudioRequestException.BadRequest(
                $"Pasted codes must lie in 0–{codebookSize - 1}, this world's codebook.");
        var region = new GridRegion(anchor, timeStep, timeStep + clip.TimeSteps, frequency,
                                    frequency + clip.Frequencies, clip.Levels);
        var targets = Cells(region).ToArray(); // same order as the clip: time, frequency, then the clip's levels
        var change = new List<(int Cell, long Before, long After)>();
        for (int k = 0; k < targets.Length; k++)
            if (!locked[anchor][targets[k]] && codes[anchor][targets[k]] != clip.Codes[k])
                change.Add((targets[k], codes[anchor][targets[k]], clip.Codes[k]));
        var c = new Change(anchor, change.Select(x => x.Cell).ToArray(), change.Select(x => x.Before).ToArray(),
                           change.Select(x => x.After).ToArray());
        Apply(c.Anchor, c.Cells, c.After);
        Record(c);
        return change.Count;
    }

    public GridClip Copy(GridRegion region)
    {
        var cells = Cells(region).ToArray();
        return new GridClip(region.T1 - region.T0, region.F1 - region.F0, region.Levels,
                            cells.Select(i => codes[region.Anchor][i]).ToArray());
    }

    public void Lock(GridRegion region, bool value)
    {
        foreach (int i in Cells(region)) locked[region.Anchor][i] = value;
    }

    /// <summary>Undoes the last change; returns the anchor it was on.</summary>
    public int Undo() => Move(undo, redo, c => c.Before, "Nothing to undo.");

    public int Redo() => Move(redo, undo, c => c.After, "Nothing to redo.");

    /// <summary>The edited anchors, as new anchors named after their source.</summary>
    public IEnumerable<(int Source, long[] Tokens)> EditedAnchors() =>
        codes.Select((c, a) => (a, c))
            .Where(x => !x.c.AsSpan().SequenceEqual(world.Bundle.Anchors[x.a].Tokens))
            .Select(x => (x.a, (long[])x.c.Clone()));

    /// <summary>The anchor as edited so far, a copy (to render while editing goes on).</summary>
    public AnchorTokens Snapshot(int anchor)
    {
        CheckAnchor(anchor);
        var source = world.Bundle.Anchors[anchor];
        return source with { Tokens = (long[])codes[anchor].Clone() };
    }

    int Move(Stack<Change> from, Stack<Change> to, Func<Change, long[]> values, string empty)
    {
        if (!from.TryPop(out var change)) throw StudioRequestException.Conflict(empty);
        Apply(change.Anchor, change.Cells, values(change));
        to.Push(change);
        return change.Anchor;
    }

    void Record(Change change)
    {
        if (change.Cells.Length == 0) return;
        undo.Push(change);
        redo.Clear();
    }

    void Apply(int anchor, int[] cells, long[] values)
    {
        for (int k = 0; k < cells.Length; k++) codes[anchor][cells[k]] = values[k];
        probabilities[anchor] = null;
    }

    float[] Scored(int anchor)
    {
        var scores = new float[codes[anchor].Length];
        Score(anchor, 0, 0, scores.Length, null, default, scores);
        return scores;
    }

    /// <summary>Runs the prior over tokens [<paramref name="feedFrom"/>, <paramref name="to"/>) of the anchor: from
    /// <paramref name="scoreFrom"/> on, each cell's probability given the cells before it, drawing new codes for the
    /// <paramref name="chosen"/> cells on the way (their left context already final when they are drawn). Rotary
    /// positions are relative, so a pass that starts early enough, on a time step's first token, sees what a pass
    /// from the start sees.</summary>
    void Score(int anchor, int feedFrom, int scoreFrom, int to, bool[]? chosen,
               (SamplingSettings Settings, int Seed) sampling, float[] scores)
    {
        var tokens = codes[anchor];
        var sampler = new TokenSampler(codebookSize, (ulong)sampling.Seed);
        // The prior continues this anchor as recorded: its original codes tell it which sound it is.
        AnchorHistogram.Compute(world.Bundle.Anchors[anchor].Tokens, levels, codebookSize, prior.Condition);
        prior.Reset();
        long previous = 0;
        for (int i = feedFrom; i < to; i++)
        {
            var logits = prior.Step(previous);
            if (i >= scoreFrom)
            {
                if (chosen?[i] == true) tokens[i] = sampler.Sample(logits, sampling.Settings);
                scores[i] = Probability(logits, (int)tokens[i]);
            }
            previous = tokens[i];
        }
    }

    static float Probability(ReadOnlySpan<float> logits, int code)
    {
        float max = float.NegativeInfinity;
        foreach (var l in logits) max = Math.Max(max, l);
        double sum = 0;
        foreach (var l in logits) sum += Math.Exp(l - max);
        return (float)(Math.Exp(logits[code] - max) / sum);
    }

    /// <summary>The region's cells, checked to lie inside the grid, in time → frequency → listed-level
    /// order.</summary>
    IEnumerable<int> Cells(GridRegion r)
    {
        CheckAnchor(r.Anchor);
        int steps = world.Bundle.Anchors[r.Anchor].TimeSteps;
        bool inside = r.T0 >= 0 && r.T1 <= steps && r.T0 < r.T1 && r.F0 >= 0 && r.F1 <= frequencies && r.F0 < r.F1
                      && r.Levels is { Length: > 0 } && r.Levels.All(l => l >= 0 && l < levels)
                      && r.Levels.Distinct().Count() == r.Levels.Length;
        if (!inside)
            throw StudioRequestException.BadRequest(
                $"The region (time steps {r.T0}–{r.T1}, frequency positions {r.F0}–{r.F1}, " +
                $"levels {string.Join(",", r.Levels ?? [])}) lies outside the grid " +
                $"of '{world.Bundle.Anchors[r.Anchor].Name}': {steps} time steps × {frequencies} " +
                $"frequency positions × {levels} levels.");
        return Enumerate(r);
    }

    IEnumerable<int> Enumerate(GridRegion r)
    {
        for (int t = r.T0; t < r.T1; t++)
            for (int f = r.F0; f < r.F1; f++)
                foreach (int l in r.Levels)
                    yield return (t * frequencies + f) * levels + l;
    }

    void CheckAnchor(int anchor)
    {
        if (anchor < 0 || anchor >= codes.Length)
            throw StudioRequestException.BadRequest(
                $"This world has anchors 0–{codes.Length - 1}; there is no anchor {anchor}.");
    }

    public void Dispose() => prior.Dispose();
}
