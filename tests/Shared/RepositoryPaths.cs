namespace Miou.Tests.Shared;

/// <summary>
/// Paths of committed files the tests read (snapshots, docs pages, build props). Found by walking up from the test's
/// output folder to the one holding Miou.sln — not with [CallerFilePath]: CI builds (CI=true) map source paths to /_/.
/// </summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    /// <summary>The folder holding Miou.sln.</summary>
    public static string Root => s_root.Value;

    /// <summary>A path under the repository root, from its parts.</summary>
    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Miou.sln")))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException("No Miou.sln above " + AppContext.BaseDirectory);
    }
}
