namespace Miou.Benchmarks;

/// <summary>The TPL side of the batched spawn+await benchmarks (benchmarks 1 and 5).</summary>
internal static class TplBatches
{
    private static readonly Action s_work = static () => { };

    /// <summary>Starts <paramref name="batch"/> <c>Task.Run</c> of a trivial lambda, then awaits each, <paramref name="batches"/> times.</summary>
    internal static async Task Run(int batches, int batch)
    {
        var tasks = new Task[batch];
        for (var b = 0; b < batches; b++)
        {
            for (var i = 0; i < batch; i++)
            {
                tasks[i] = Task.Run(s_work);
            }

            for (var i = 0; i < batch; i++)
            {
                await tasks[i];
            }
        }
    }
}
