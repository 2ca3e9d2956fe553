namespace Distill.Runtime.Sampling;

/// <summary>PCG32 (O'Neill 2014): a small, fast generator whose sequence is fixed by its seed on every
/// platform and runtime version, so a seed names the same generated material forever.</summary>
public struct Pcg32
{
    const ulong Multiplier = 6364136223846793005UL;
    ulong state;
    readonly ulong increment;

    public Pcg32(ulong seed, ulong stream = 54)
    {
        increment = (stream << 1) | 1;
        state = 0;
        NextUInt();
        state += seed;
        NextUInt();
    }

    public uint NextUInt()
    {
        ulong old = state;
        state = old * Multiplier + increment;
        uint xorShifted = (uint)(((old >> 18) ^ old) >> 27);
        int rot = (int)(old >> 59);
        return (xorShifted >> rot) | (xorShifted << (-rot & 31));
    }

    /// <summary>Uniform in [0, 1) with 32 bits of resolution.</summary>
    public double NextDouble() => NextUInt() * (1.0 / 4294967296.0);
}
