using System.ComponentModel;

namespace Miou.Building;

/// <summary>
/// Something resumed when a fiber frame it awaits completes: the caller's frame (a nested <c>async Fiber</c> call runs
/// inline in its caller's task), or the task itself when its body's outermost frame completes. Not for users: public only
/// because <see cref="Promise"/> derives from it.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class FrameContinuation
{
    private protected FrameContinuation()
    {
    }

    internal abstract void OnCalleeCompleted(FiberBox callee);
}
