namespace Distill.Runtime.Sampling;

/// <summary>How to draw a token from logits. Temperature 0 means greedy (argmax); TopK 0 and
/// TopP 1 mean no truncation.</summary>
public readonly record struct SamplingSettings(float Temperature = 1f, int TopK = 0, float TopP = 1f);

/// <summary>
/// Draws tokens from logits with temperature, top-k and top-p (nucleus) truncation, with its own
/// seeded generator. Whatever the settings, only plausible codes are drawn: those the tempered distribution gives at
/// least <see cref="PlausibleFraction"/> of its top code's probability (min-p, judged after temperature). Without
/// the floor, a temperature of 1.5 lifts a hundred codes of 1e-4 each to a quarter of all draws, and those are the
/// codes that decode to bursts and holes. Judged before temperature, it left a confident prior one or two candidates
/// at any temperature, so temperature was not heard; after it, temperature 2 admits codes down to 0.02² of the top's
/// probability and 0.5 only those above 0.02^0.5. Preallocates its scratch space, so sampling allocates nothing (it
/// runs in the generation worker of a real-time plugin).
/// </summary>
public sealed class TokenSampler
{
    /// <summary>The least tempered probability, relative to the most likely code's, of a code that may be drawn.</summary>
    public const float PlausibleFraction = 0.02f;
    static readonly float PlausibleLogitRange = -MathF.Log(PlausibleFraction);

    readonly float[] probabilities;
    readonly float[] sortKeys;
    readonly int[] order;
    Pcg32 random;

    public TokenSampler(int vocabulary, ulong seed)
    {
        probabilities = new float[vocabulary];
        sortKeys = new float[vocabulary];
        order = new int[vocabulary];
        random = new Pcg32(seed);
    }

    public void Reseed(ulong seed) => random = new Pcg32(seed);

    /// <param name="temperatureScale">Per-level multiplier of the temperature (coarse levels can be
    /// kept steadier than fine ones).</param>
    /// <param name="vocabulary">Weights per code: codes of weight 0 are never drawn (empty, or all 0: every code
    /// may be).</param>
    public int Sample(ReadOnlySpan<float> logits, in SamplingSettings settings, float temperatureScale = 1f,
                      ReadOnlySpan<float> vocabulary = default)
    {
        int n = logits.Length;
        if (n > probabilities.Length)
            throw new ArgumentException($"{n} logits, sampler built for {probabilities.Length}");
        if (vocabulary.Length != 0 && vocabulary.Length != n)
            throw new ArgumentException($"{vocabulary.Length} vocabulary weights for {n} logits");

        float temperature = settings.Temperature * temperatureScale;
        if (temperature <= 0) return ArgMax(logits, vocabulary);

        // Rank tokens by logit, descending, codes outside the vocabulary last (introsort is deterministic, so ties
        // resolve alike every run).
        int inside = 0;
        for (int i = 0; i < n; i++)
        {
            bool allowed = Allows(vocabulary, i);
            order[i] = i;
            sortKeys[i] = allowed ? -logits[i] : float.PositiveInfinity;
            if (allowed) inside++;
        }
        if (inside == 0) for (int i = 0; i < n; i++) sortKeys[i] = -logits[i];
        Array.Sort(sortKeys, order, 0, n);
        int kept = Math.Min(settings.TopK > 0 ? settings.TopK : n, inside == 0 ? n : inside);
        float max = logits[order[0]];
        int plausible = 1;
        while (plausible < kept && logits[order[plausible]] >= max - PlausibleLogitRange * temperature) plausible++;
        kept = plausible;

        double sum = 0;
        for (int r = 0; r < kept; r++)
        {
            float p = MathF.Exp((logits[order[r]] - max) / temperature);
            probabilities[r] = p;
            sum += p;
        }
        if (settings.TopP < 1f)
        {
            // Smallest prefix of the ranking whose probability mass reaches top-p (at least one token).
            double mass = 0;
            for (int r = 0; r < kept; r++)
            {
                mass += probabilities[r] / sum;
                if (mass >= settings.TopP) { kept = r + 1; break; }
            }
            sum = 0;
            for (int r = 0; r < kept; r++) sum += probabilities[r];
        }

        double u = random.NextDouble() * sum, acc = 0;
        for (int r = 0; r < kept; r++)
        {
            acc += probabilities[r];
            if (u < acc) return order[r];
        }
        return order[kept - 1];
    }

    /// <summary>The most likely code of the vocabulary (of all codes when the vocabulary is empty or all 0).</summary>
    public static int ArgMax(ReadOnlySpan<float> logits, ReadOnlySpan<float> vocabulary = default)
    {
        int best = -1;
        for (int i = 0; i < logits.Length; i++)
            if (Allows(vocabulary, i) && (best < 0 || logits[i] > logits[best])) best = i;
        if (best >= 0 || vocabulary.Length == 0) return Math.Max(best, 0);
        return ArgMax(logits); // nothing of the vocabulary: every code may be
    }

    static bool Allows(ReadOnlySpan<float> vocabulary, int code) => vocabulary.Length == 0 || vocabulary[code] > 0;
}
