using System.Diagnostics;
using System.Reflection;
using System.Reflection.Emit;

namespace Miou.Benchmarks;

/// <summary>
/// <c>--generated-paired [rounds]</c>: two checks of <see cref="GeneratedVsHandWritten"/> that a loaded machine cannot blur.
/// <list type="bullet">
/// <item>The IL of each generated twin's state machine (<c>MoveNext</c>) against the hand-written method it mirrors:
/// instruction counts, and whether the opcode sequences are the same (operands and tokens ignored).</item>
/// <item>Paired timing: each hand-written / generated pair run alternately <c>rounds</c> times in one process (the order
/// flipped every round), so that a change of load hits both alike; prints the medians, the median of the per-round
/// ratios, their range, and bytes per operation.</item>
/// <item>A control for benchmark 1: the hand-written root spawning a lambda literal (<c>async () =&gt; { }</c>, as the
/// generated code does) instead of <see cref="SpawnAwait"/>'s static readonly delegate, against the latter.</item>
/// </list>
/// </summary>
internal static class GeneratedPaired
{
    internal const int Rounds = 15;

    private static readonly (string Hand, string Generated)[] Twins =
    [
        ("SpawnAwait.MiouRoot", "SpawnAwaitRootAsync"),
        ("Yield.Yielder", "YielderAsync"),
        ("Yield.MiouRoot", "YieldRootAsync"),
        ("HandOff.Side", "SideAsync"),
        ("HandOff.MiouRoot", "HandOffRootAsync"),
        ("GeneratedVsHandWritten.FiberChildHandWritten", "FiberChildLambdaAsync"),
        ("GeneratedVsHandWritten.FiberChildHandWritten", "FiberChildMethodGroupAsync"),
    ];

    internal static int Run(TextWriter output, int rounds)
    {
        output.WriteLine("| hand-written | generated twin | IL instructions (hand, generated) | same opcodes |");
        output.WriteLine("| --- | --- | ---: | --- |");
        foreach (var (hand, generated) in Twins)
        {
            var parts = hand.Split('.');
            var h = Opcodes(StateMachine(typeof(Program).Assembly.GetType($"Miou.Benchmarks.{parts[0]}")!, parts[1]));
            var g = Opcodes(StateMachine(typeof(GeneratedVsHandWritten), generated));
            output.WriteLine($"| {hand} | {generated} | {h.Count}, {g.Count} | {h.SequenceEqual(g)} |");
        }

        var b = new GeneratedVsHandWritten();
        var pairs = new (string Name, Action Hand, Action Generated, int Operations)[]
        {
            ("1 SpawnAwait Fifo", b.SpawnAwait_HandWritten_Fifo, b.SpawnAwait_Generated_Fifo, SpawnAwait.Total),
            ("1 SpawnAwait Fifo, control: hand-written with a lambda literal", b.SpawnAwait_HandWritten_Fifo, () => Fiber.Run(LiteralRoot, Options.Fifo), SpawnAwait.Total),
            ("1 SpawnAwait Random", b.SpawnAwait_HandWritten_Random, b.SpawnAwait_Generated_Random, SpawnAwait.Total),
            ("2 Yield Fifo", b.Yield_HandWritten_Fifo, b.Yield_Generated_Fifo, Yield.Total),
            ("2 Yield Random", b.Yield_HandWritten_Random, b.Yield_Generated_Random, Yield.Total),
            ("3 HandOff Fifo", b.HandOff_HandWritten_Fifo, b.HandOff_Generated_Fifo, HandOff.Total),
            ("3 HandOff Random", b.HandOff_HandWritten_Random, b.HandOff_Generated_Random, HandOff.Total),
            ("4 [Fiber] child, lambda", b.FiberChild_HandWritten_Fifo, b.FiberChild_Generated_Lambda_Fifo, SpawnAwait.Total),
            ("4 [Fiber] child, method group", b.FiberChild_HandWritten_Fifo, b.FiberChild_Generated_MethodGroup_Fifo, SpawnAwait.Total),
        };
        output.WriteLine();
        output.WriteLine($"| workload ({rounds} paired rounds) | hand-written ns/op (median) | generated ns/op (median) | generated / hand-written (median of rounds) | range | B/op hand-written → generated |");
        output.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (name, hand, generated, operations) in pairs)
        {
            for (var w = 0; w < 3; w++)
            {
                hand();
                generated();
            }

            var (hs, gs, ratios) = (new List<double>(), new List<double>(), new List<double>());
            for (var r = 0; r < rounds; r++)
            {
                var first = r % 2 == 0;
                var t1 = NsPerOp(first ? hand : generated, operations);
                var t2 = NsPerOp(first ? generated : hand, operations);
                var (th, tg) = first ? (t1, t2) : (t2, t1);
                hs.Add(th);
                gs.Add(tg);
                ratios.Add(tg / th);
            }

            output.WriteLine(FormattableString.Invariant(
                $"| {name} | {Median(hs):F1} | {Median(gs):F1} | {Median(ratios):F2} | {ratios.Min():F2}–{ratios.Max():F2} | {BytesPerOp(hand, operations):F0} → {BytesPerOp(generated, operations):F0} |"));
        }

        return 0;
    }

    /// <summary><see cref="SpawnAwait"/>'s root with the child written as a lambda literal, as the generated twin has it.</summary>
    private static async Fiber LiteralRoot()
    {
        var promises = new Promise[SpawnAwait.Batch];
        for (var b = 0; b < SpawnAwait.Total / SpawnAwait.Batch; b++)
        {
            for (var i = 0; i < SpawnAwait.Batch; i++)
            {
                promises[i] = await Fiber.SpawnAsync(async () => { });
            }

            for (var i = 0; i < SpawnAwait.Batch; i++)
            {
                await Fiber.AwaitAsync(promises[i]);
            }
        }
    }

    private static Type StateMachine(Type owner, string method) =>
        owner.GetNestedTypes(BindingFlags.NonPublic).Single(t => t.Name.StartsWith($"<{method}>d__", StringComparison.Ordinal));

    private static readonly OpCode[] s_oneByte = new OpCode[0x100];
    private static readonly OpCode[] s_twoByte = new OpCode[0x100];

    private static List<string> Opcodes(Type stateMachine)
    {
        if (s_oneByte[0].Name is null)
        {
            foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                var op = (OpCode)field.GetValue(null)!;
                (op.Size == 1 ? s_oneByte : s_twoByte)[op.Value & 0xff] = op;
            }
        }

        var il = stateMachine.GetMethod("MoveNext", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!
            .GetMethodBody()!.GetILAsByteArray()!;
        var ops = new List<string>();
        for (var i = 0; i < il.Length;)
        {
            var op = il[i] == 0xfe ? s_twoByte[il[i + 1]] : s_oneByte[il[i]];
            i += op.Size;
            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
            ops.Add(op.Name!);
        }

        return ops;
    }

    private static double NsPerOp(Action run, int operations)
    {
        var watch = Stopwatch.StartNew();
        run();
        return watch.Elapsed.TotalNanoseconds / operations;
    }

    private static double BytesPerOp(Action run, int operations)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        run();
        return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)operations;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
