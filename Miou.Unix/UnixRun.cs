using System.Runtime.CompilerServices;
using Miou.Unix.EventLoop;

namespace Miou.Unix;

/// <summary>
/// The run entry point for programs that do I/O (the original's <c>Miou_unix.run</c>): <see cref="Fiber.Run{T}(Func{Fiber{T}}, RunOptions?)"/>
/// with <see cref="RunOptions.Events"/> set to one <see cref="UnixEventLoop"/> per domain.
/// </summary>
public static class UnixRun
{
    /// <summary>The event-source factory <see cref="Run{T}(Func{Fiber{T}}, RunOptions?, UnixOptions?)"/> installs: one loop per domain, made on its thread.</summary>
    public static Func<Domain, IEvents> Events(UnixOptions? options = null) => domain => new UnixEventLoop(domain, options);

    /// <summary>Runs the fiber <paramref name="main"/> as the root task with Miou.Unix's event loop on every domain.</summary>
    /// <exception cref="ArgumentException"><paramref name="options"/> already names an event source.</exception>
    [OverloadResolutionPriority(1)]
    public static T Run<T>(Func<Fiber<T>> main, RunOptions? options = null, UnixOptions? unix = null) =>
        Fiber.Run(main, WithEvents(options, unix));

    /// <summary>Runs the void fiber <paramref name="main"/>; see <see cref="Run{T}(Func{Fiber{T}}, RunOptions?, UnixOptions?)"/>.</summary>
    [OverloadResolutionPriority(1)]
    public static void Run(Func<Fiber> main, RunOptions? options = null, UnixOptions? unix = null) =>
        Fiber.Run(main, WithEvents(options, unix));

    /// <summary>Runs a direct-style <c>[Fiber]</c> method as the root task; see <see cref="Fiber.Run{T}(Func{T}, RunOptions?)"/>.</summary>
    public static T Run<T>(Func<T> main, RunOptions? options = null, UnixOptions? unix = null) =>
        Fiber.Run(main, WithEvents(options, unix));

    /// <summary>Runs a direct-style void <c>[Fiber]</c> method as the root task; see <see cref="Fiber.Run(Action, RunOptions?)"/>.</summary>
    public static void Run(Action main, RunOptions? options = null, UnixOptions? unix = null) =>
        Fiber.Run(main, WithEvents(options, unix));

    private static RunOptions WithEvents(RunOptions? options, UnixOptions? unix)
    {
        options ??= new RunOptions();
        if (options.Events is not null)
        {
            throw new ArgumentException(
                "UnixRun.Run installs Miou.Unix's event loop itself, but these RunOptions already name an event source. " +
                "Use Fiber.Run with your own RunOptions.Events, or leave Events unset.", nameof(options));
        }

        return options with { Events = Events(unix) };
    }
}
