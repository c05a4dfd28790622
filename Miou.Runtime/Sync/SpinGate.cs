using System.Diagnostics.CodeAnalysis;

namespace Miou.Scheduling;

/// <summary>
/// A non-reentrant spin lock for the few-instruction critical sections of Miou's synchronisation objects (an owner check,
/// a queue operation; nothing in them takes another gate or runs user code). Cheaper than <see cref="Lock"/> for that:
/// one compare-exchange to enter and a plain release store to leave, no thread id (a thread-static read) and no
/// waiter bookkeeping. A contended enter spins with <see cref="SpinWait"/>, which yields the processor when the holder
/// is descheduled (never <c>Sleep(1)</c>). Held in a non-readonly field and used as <c>using (_gate.Hold()) { … }</c>.
/// </summary>
internal struct SpinGate
{
    private int _held;

    /// <summary>Enters the gate; the returned scope leaves it when disposed.</summary>
    [UnscopedRef]
    internal Scope Hold()
    {
        if (Interlocked.CompareExchange(ref _held, 1, 0) != 0)
        {
            EnterContended();
        }

        return new Scope(ref this);
    }

    private void EnterContended()
    {
        var spinner = new SpinWait();
        do
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }
        while (Volatile.Read(ref _held) != 0 || Interlocked.CompareExchange(ref _held, 1, 0) != 0);
    }

    /// <summary>A held gate; <see cref="Dispose"/> leaves it.</summary>
    internal readonly ref struct Scope
    {
        private readonly ref SpinGate _gate;

        internal Scope(ref SpinGate gate) => _gate = ref gate;

        public void Dispose() => Volatile.Write(ref _gate._held, 0);
    }
}
