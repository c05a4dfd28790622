using System.Diagnostics.CodeAnalysis;

namespace Miou.Scheduling;

/// <summary>
/// A non-reentrant spin lock for the few-instruction critical sections of Miou's synchronisation objects (an owner check,
/// a queue operation; nothing in them takes another gate or runs user code). Cheaper than <see cref="Lock"/> for that:
/// one compare-exchange to enter and a plain release store to leave, no thread id (a thread-static read) and no
/// waiter bookkeeping. A contended enter spins with <see cref="SpinWait"/>, which yields the processor when the holder
/// is descheduled (never <c>Sleep(1)</c>). Held in a non-readonly field and used as <c>using (_gate.Hold(domain)) { … }</c>.
/// </summary>
/// <remarks>
/// <para>
/// Biased to its home domain: a gate made with <see cref="BiasTo"/> (by an object created in a task) is entered by that
/// domain's thread without a compare-exchange, as long as no other thread has used it — usually for good, since a mutex
/// or condition shared by the tasks of one domain never meets another thread. The home's enter is a plain store of
/// <see cref="_homeIn"/> then a read of <see cref="_mode"/>; its leave, a release store. The first enter from anywhere
/// else revokes the bias, once and for all: it marks the gate as being revoked, then makes every thread of the process
/// execute a full memory barrier (<see cref="Interlocked.MemoryBarrierProcessWide"/>), so the home's store of
/// <see cref="_homeIn"/> is visible to it or the home's later read of <see cref="_mode"/> sees the revocation (the
/// asymmetric form of Dekker's algorithm); it waits for the home to leave, and from then on every thread, the home
/// included, enters with the compare-exchange. Each enter costs the home a store and a load instead of a locked
/// instruction (a full barrier on x64; 6 of them per hand-off of the mutex benchmark).
/// </para>
/// <para>
/// The caller names the domain whose thread it runs on (<see cref="DomainScheduler.Current"/>, or the domain of the
/// task it answers or that calls it), or null when it runs on no domain's thread. Naming another thread's domain would
/// break the exclusion: every call site passes a domain its thread runs (asserted in debug builds).
/// </para>
/// </remarks>
internal struct SpinGate
{
    private const int Shared = 0; // everyone enters with the compare-exchange (a default gate, or a revoked one)
    private const int Biased = 1; // the home enters with a plain store
    private const int Revoking = 2; // a thread is revoking the bias: the others wait for it to finish

    private int _held; // the lock of the shared mode
    private int _mode;
    private int _homeIn; // the home is in the gate, entered without the compare-exchange

    // The home domain's identity: its generator, an object of the domain that references nothing, so that a long-lived
    // mutex does not keep a finished run's scheduler alive (its event source, its last syscall and that syscall's task).
    private Prng? _home;

    /// <summary>
    /// Biases the gate to <paramref name="home"/> (nothing if null). Only before the gate's object is published (its
    /// constructor): no other thread may be using the gate.
    /// </summary>
    internal void BiasTo(DomainScheduler? home)
    {
        if (home is not null)
        {
            _home = home.Random;
            _mode = Biased;
        }
    }

    /// <summary>Enters the gate from <paramref name="current"/>'s thread (null: not a domain's); the returned scope leaves it when disposed.</summary>
    [UnscopedRef]
    internal Scope Hold(DomainScheduler? current)
    {
        if (current is not null && ReferenceEquals(_home, current.Random))
        {
            System.Diagnostics.Debug.Assert(current.IsCurrentThread, "a gate is entered as the domain whose thread runs");

            // Both volatile, so the JIT keeps the store before the load (on ARM64, stlr then ldar are not reordered either);
            // on x64 the processor may still satisfy the load before the store is visible: Revoke's process-wide barrier
            // covers that.
            Volatile.Write(ref _homeIn, 1);
            if (Volatile.Read(ref _mode) == Biased)
            {
                return new Scope(ref this, home: true);
            }

            Volatile.Write(ref _homeIn, 0); // being revoked: enter as everyone does
        }

        EnterShared();
        return new Scope(ref this, home: false);
    }

    private void EnterShared()
    {
        if (Volatile.Read(ref _mode) != Shared)
        {
            Revoke();
        }

        if (Interlocked.CompareExchange(ref _held, 1, 0) != 0)
        {
            EnterContended();
        }
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

    /// <summary>Ends the bias, or waits for the thread ending it: then the home is out and enters as everyone does.</summary>
    private void Revoke()
    {
        var spinner = new SpinWait();
        if (Interlocked.CompareExchange(ref _mode, Revoking, Biased) == Biased)
        {
            // Every thread executes a full barrier: the home either made its enter's store visible (we see it below and
            // wait), or has not read the mode yet (it will read Revoking and not enter on the biased path).
            Interlocked.MemoryBarrierProcessWide();
            while (Volatile.Read(ref _homeIn) != 0)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            _home = null; // no longer needed
            Volatile.Write(ref _mode, Shared);
            return;
        }

        while (Volatile.Read(ref _mode) != Shared)
        {
            spinner.SpinOnce(sleep1Threshold: -1); // another thread is revoking it: the home may still be in
        }
    }

    /// <summary>A held gate; <see cref="Dispose"/> leaves it.</summary>
    internal readonly ref struct Scope
    {
        private readonly ref SpinGate _gate;
        private readonly bool _home;

        internal Scope(ref SpinGate gate, bool home)
        {
            _gate = ref gate;
            _home = home;
        }

        public void Dispose()
        {
            if (_home)
            {
                Volatile.Write(ref _gate._homeIn, 0);
            }
            else
            {
                Volatile.Write(ref _gate._held, 0);
            }
        }
    }
}
