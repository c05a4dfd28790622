namespace Miou;

/// <summary>
/// Where tasks were spawned (the caller's file and line), shared by every promise spawned there: a promise keeps one
/// reference instead of a string and an int (8 bytes less per task). Sites are interned per domain by
/// <see cref="SpawnSiteCache"/>.
/// </summary>
internal sealed class SpawnSite(string file, int line)
{
    internal readonly string File = file;
    internal readonly int Line = line;

    /// <summary><c>Program.cs:12</c>.</summary>
    public override string ToString() => $"{Path.GetFileName(File)}:{Line}";
}

/// <summary>
/// A domain's interned spawn sites: a small direct-mapped cache keyed by the caller-info string (a literal, so one
/// reference per source file) and the line. A miss allocates a new site; two sites for the same place are harmless.
/// Only the owning domain's thread uses it.
/// </summary>
internal sealed class SpawnSiteCache
{
    private const int Size = 64; // a power of two
    private readonly SpawnSite?[] _sites = new SpawnSite?[Size];

    /// <summary>The site interned last: a loop spawning at one place finds it without hashing.</summary>
    private SpawnSite? _last;

    internal SpawnSite Intern(string file, int line)
    {
        var last = _last;
        if (last is not null && last.Line == line && ReferenceEquals(last.File, file))
        {
            return last;
        }

        var slot = (System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(file) ^ (line * 31)) & (Size - 1);
        var site = _sites[slot];
        if (site is null || site.Line != line || !ReferenceEquals(site.File, file))
        {
            _sites[slot] = site = new SpawnSite(file, line);
        }

        _last = site;
        return site;
    }
}
