namespace Distill.Runtime.Engine;

/// <summary>
/// Single-producer single-consumer ring of unmanaged values, lock-free: the producer owns the write index, the
/// consumer the read index, each published with release/acquire ordering so the other side never sees a slot
/// before its contents. Capacity is a power of two. Neither side allocates, locks or makes a system call.
/// </summary>
public sealed class SpscRing<T> where T : unmanaged
{
    readonly T[] buffer;
    readonly int mask;
    long written, read;

    public SpscRing(int capacityPowerOfTwo)
    {
        if (capacityPowerOfTwo <= 0 || (capacityPowerOfTwo & (capacityPowerOfTwo - 1)) != 0)
            throw new ArgumentException("capacity must be a power of two", nameof(capacityPowerOfTwo));
        buffer = new T[capacityPowerOfTwo];
        mask = capacityPowerOfTwo - 1;
    }

    public int Capacity => buffer.Length;
    /// <summary>Total values ever written (the producer's position).</summary>
    public long WritePosition => Volatile.Read(ref written);
    /// <summary>Total values ever consumed (the consumer's position).</summary>
    public long ReadPosition => Volatile.Read(ref read);
    public int Count => (int)(Volatile.Read(ref written) - Volatile.Read(ref read));
    public int Free => Capacity - Count;

    /// <summary>Producer: appends all of <paramref name="values"/> if they fit; returns false (writing nothing)
    /// if not.</summary>
    public bool TryWrite(ReadOnlySpan<T> values)
    {
        long w = written; // only this thread writes it
        if (values.Length > Capacity - (w - Volatile.Read(ref read))) return false;
        int start = (int)(w & mask), first = Math.Min(values.Length, buffer.Length - start);
        values[..first].CopyTo(buffer.AsSpan(start));
        values[first..].CopyTo(buffer);
        Volatile.Write(ref written, w + values.Length);
        return true;
    }

    public bool TryWrite(in T value) => TryWrite(new ReadOnlySpan<T>(in value));

    /// <summary>Consumer: copies up to <paramref name="destination"/>.Length values out; returns how many.</summary>
    public int Read(Span<T> destination)
    {
        long r = read; // only this thread writes it
        int n = (int)Math.Min(destination.Length, Volatile.Read(ref written) - r);
        int start = (int)(r & mask), first = Math.Min(n, buffer.Length - start);
        buffer.AsSpan(start, first).CopyTo(destination);
        buffer.AsSpan(0, n - first).CopyTo(destination[first..]);
        Volatile.Write(ref read, r + n);
        return n;
    }

    /// <summary>Consumer: the oldest value without consuming it.</summary>
    public bool TryPeek(out T value)
    {
        long r = read;
        if (Volatile.Read(ref written) == r) { value = default; return false; }
        value = buffer[(int)(r & mask)];
        return true;
    }

    /// <summary>Consumer: drops up to <paramref name="count"/> values; returns how many.</summary>
    public int Skip(int count)
    {
        long r = read;
        int n = (int)Math.Min(count, Volatile.Read(ref written) - r);
        Volatile.Write(ref read, r + n);
        return n;
    }
}
