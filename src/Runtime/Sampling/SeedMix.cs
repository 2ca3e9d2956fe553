namespace Distill.Runtime.Sampling;

/// <summary>
/// SplitMix64's finaliser (Steele, Lea and Flood 2014): turns nearby inputs (seed and key, seed and step) into
/// unrelated, well-mixed seeds, the same on every process and machine (HashCode.Combine is randomised per process).
/// </summary>
public static class SeedMix
{
    public const ulong Golden = 0x9E3779B97F4A7C15UL;

    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
