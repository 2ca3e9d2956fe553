using System.Buffers.Binary;

namespace Distill.Runtime.Bundle;

/// <summary>A training clip's tokens, decoded from its <see cref="Anchor"/>: time step → frequency position →
/// level; and its <see cref="Anchor.GainDb"/>, <see cref="Anchor.Levels"/> and <see cref="Anchor.Spectrum"/>.</summary>
public sealed record AnchorTokens(string Name, int TimeSteps, long[] Tokens, double GainDb = 0,
                                  AnchorLevels? Levels = null, AnchorSpectrum? Spectrum = null);

/// <summary><see cref="Anchor.Codes"/> text: base64 of the tokens as little-endian uint16 (codebooks hold at most
/// 65 536 codes).</summary>
public static class AnchorCodes
{
    public static string Encode(ReadOnlySpan<long> tokens)
    {
        var bytes = new byte[tokens.Length * 2];
        for (int i = 0; i < tokens.Length; i++)
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), ToCode(tokens[i]));
        return Convert.ToBase64String(bytes);
    }

    public static string Encode(ReadOnlySpan<int> tokens)
    {
        var bytes = new byte[tokens.Length * 2];
        for (int i = 0; i < tokens.Length; i++)
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), ToCode(tokens[i]));
        return Convert.ToBase64String(bytes);
    }

    /// <summary>The tokens in <paramref name="codes"/>, or null when it is not base64 of whole uint16 values.</summary>
    public static long[]? TryDecode(string codes)
    {
        var bytes = new byte[codes.Length / 4 * 3 + 3];
        if (!Convert.TryFromBase64String(codes, bytes, out int length) || length % 2 != 0) return null;
        var tokens = new long[length / 2];
        for (int i = 0; i < tokens.Length; i++)
            tokens[i] = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2 * i));
        return tokens;
    }

    public static long[] Decode(string codes) =>
        TryDecode(codes) ?? throw new FormatException("anchor codes are not base64 of little-endian uint16 values");

    static ushort ToCode(long token) =>
        token is >= 0 and <= ushort.MaxValue ? (ushort)token
            : throw new ArgumentOutOfRangeException(nameof(token), token, "codes are stored as uint16");
}
