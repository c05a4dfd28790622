namespace Miou;

/// <summary>What a promise's task has done so far (spec §1.2).</summary>
public enum PromiseState
{
    /// <summary>The task has not finished.</summary>
    Running,

    /// <summary>The task returned a value.</summary>
    Finished,

    /// <summary>The task ended with an exception or was cancelled.</summary>
    Exited,
}
