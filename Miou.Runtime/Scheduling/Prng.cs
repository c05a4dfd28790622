namespace Miou.Scheduling;

/// <summary>
/// The run's seedable generator (xoshiro256**, seeded through SplitMix64). One per domain, derived from the run's seed, so
/// a domain's choices depend only on the seed and what that domain does.
/// </summary>
internal sealed class Prng
{
    private ulong _s0, _s1, _s2, _s3;

    internal Prng(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, n) for n ≥ 1 (Lemire's multiply-shift; the tiny bias is irrelevant for scheduling).</summary>
    internal int Next(int n) => (int)((ulong)(uint)NextUInt64() * (ulong)n >> 32);
}
