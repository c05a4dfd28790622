using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Miou.Building;
using Miou.Scheduling;

namespace Miou;

/// <summary>
/// The handle on a task, and its node in the task tree: its parent, its children, what it owns, its outcome.
/// Only the task that created a promise (its parent) may await or cancel it. A <see cref="Promise"/> typed as such is
/// the promise of a task whose value is ignored or absent; <see cref="Promise{T}"/> carries a value. A void child spawned
/// on its own domain without orphans or resources is a promise of exactly this type (its body is a <see cref="Func{Fiber}"/>):
/// a store of it into a <c>Promise[]</c> then takes the runtime's exact-type path, without the covariance check that a
/// subclass costs.
/// </summary>
public class Promise : FrameContinuation
{
    // A void child's promise: body is a Func<Fiber>.
    internal Promise(RunContext run, Promise parent, DomainScheduler domain, Func<Fiber> body, string? spawnFile, int spawnLine)
        : this(run, parent, domain, spawnFile, spawnLine) => Frame = body;

    private protected Promise(RunContext run, Promise? parent, DomainScheduler domain, string? spawnFile, int spawnLine)
    {
        Id = run.NextPromiseId();
        Parent = parent;
        Domain = domain;
        // Promises are created on the spawning task's domain (the root's before the run starts): its cache is ours to use.
        _siteOrRare = spawnFile is null ? null : (parent?.Domain ?? domain).SpawnSites.Intern(spawnFile, spawnLine);
    }

    /// <summary>The promise's id: unique within its run; the root task is 1.</summary>
    public int Id { get; }

    /// <summary>
    /// What the task has done so far. This is the task's own outcome: a child that returned and was cancelled afterwards
    /// by its parent still reports <see cref="PromiseState.Finished"/>, although awaiting it yields <see cref="CancelledException"/>
    /// (kept from the original, spec §10 Q2).
    /// </summary>
    public PromiseState State => CurrentStatus switch
    {
        Status.Running => PromiseState.Running,
        Status.Returned => PromiseState.Finished,
        _ => PromiseState.Exited,
    };

    /// <summary>Where the task was spawned, when known (<c>file:line</c>).</summary>
    public string? SpawnSite => Site?.ToString();

    /// <inheritdoc/>
    public override string ToString() => Describe();

    // ---- identity and tree. The children list belongs to this promise's domain: only its thread touches it. ----
    internal RunContext Run => Domain.Run;

    internal readonly Promise? Parent;
    internal DomainScheduler Domain;
    /// <summary>
    /// Where the task was spawned (a <see cref="Miou.SpawnSite"/>, shared), or, once the task spawned a child or owns
    /// resources, a <see cref="RareFields"/> that holds the site, the children list and the resources. Most tasks spawn
    /// nothing and own nothing: fields for them in every promise would cost 24 bytes each (a trivial child's promise is
    /// 64 bytes, one cache line, instead of 88).
    /// </summary>
    private object? _siteOrRare;

    private SpawnSite? Site => _siteOrRare as SpawnSite ?? (_siteOrRare as RareFields)?.Site;

    internal string? SpawnFile => Site?.File;

    internal int SpawnLine => Site?.Line ?? 0;

    /// <summary>What the task owns (spec §5), newest first; null when nothing. Touched only on the task's domain.</summary>
    internal ResourceLink? Resources
    {
        get => (_siteOrRare as RareFields)?.Resources;
        set
        {
            if (_siteOrRare is RareFields rare)
            {
                rare.Resources = value;
            }
            else if (value is not null)
            {
                MakeRare().Resources = value;
            }
        }
    }

    /// <summary>The rare fields, allocated now: the task spawns its first child or takes its first resource.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private RareFields MakeRare()
    {
        var rare = new RareFields((SpawnSite?)_siteOrRare);
        _siteOrRare = rare;
        return rare;
    }

    /// <summary>The fields few promises need, out of line (see <see cref="_siteOrRare"/>). Touched only on the task's domain.</summary>
    private sealed class RareFields(SpawnSite? site)
    {
        internal readonly SpawnSite? Site = site;
        internal ResourceLink? Resources;

        /// <summary>
        /// The children list, oldest first, in <c>Children[0 .. Count)</c>. A child that leaves it (<see cref="UnlinkChild"/>)
        /// stays in it, marked not <see cref="Linked"/>, until the list is emptied or swept. An array, not a list linked
        /// through the children: a spawn stores one reference (one GC write barrier) and no promise carries a link.
        /// </summary>
        internal ChildEntry[] Children = [];

        internal int Count;

        /// <summary>How many children are <see cref="Linked"/>; the list is emptied when it drops to zero.</summary>
        internal int LinkedChildren;

        /// <summary>How many children that left are still in the list: swept at a spawn when they outnumber the others (amortised O(1)).</summary>
        internal int LeftChildren;
    }

    /// <summary>
    /// A child in the children array: a promise in a struct, because storing a reference into an array of a non-sealed
    /// class type costs a covariance check; an array of structs has none.
    /// </summary>
    internal readonly struct ChildEntry(Promise child)
    {
        internal readonly Promise Child = child;
    }

    /// <summary>Whether a child is still in the children list (its subtree is not torn down, or it is not consumed yet).</summary>
    internal bool HasChildren => _siteOrRare is RareFields { LinkedChildren: not 0 };

    /// <summary>The children still in the list, newest first. Nothing may leave the list while it is walked.</summary>
    internal ChildList Children => _siteOrRare is RareFields rare ? new(rare.Children, rare.Count) : new([], 0);

    /// <summary>The children still in the list (see <see cref="Children"/>): a struct enumerable, no allocation.</summary>
    internal readonly struct ChildList
    {
        private readonly ChildEntry[] _entries;
        private readonly int _count;

        internal ChildList(ChildEntry[] entries, int count)
        {
            _entries = entries;
            _count = count;
        }

        public Enumerator GetEnumerator() => new(_entries, _count);

        internal struct Enumerator(ChildEntry[] entries, int count)
        {
            private int _next = count - 1; // newest first

            public Promise Current { get; private set; } = null!; // read only after MoveNext returned true

            public bool MoveNext()
            {
                for (; _next >= 0; _next--)
                {
                    var c = entries[_next].Child;
                    if (c.Linked)
                    {
                        Current = c;
                        _next--;
                        return true;
                    }
                }

                return false;
            }
        }
    }

    /// <summary>Still in its parent's children list: its subtree is not torn down yet.</summary>
    internal bool Linked
    {
        get => (_byParent & LinkedBit) != 0;
        set => _byParent = With(_byParent, LinkedBit, value);
    }

    /// <summary>
    /// The parent awaited or cancelled it: rule 1 no longer counts it. It stays in the parent's children list until its
    /// subtree is torn down, so that a cancellation of the parent waits for it too.
    /// </summary>
    internal bool Consumed
    {
        get => (_byParent & ConsumedBit) != 0;
        set => _byParent = With(_byParent, ConsumedBit, value);
    }

    // ---- outcome (the "result cell"); read from any thread ----
    internal enum Status : byte
    {
        Running,
        Returned,
        Failed,
    }

    private Status CurrentStatus => (Status)(_life & StatusBits);

    internal bool IsTerminated => CurrentStatus != Status.Running;

    /// <summary>
    /// The exception the task failed with, once failed: the one its body threw (kept in <see cref="Frame"/>, which is dead
    /// once the body is done), or a cancellation (no exception is stored for it).
    /// </summary>
    internal ExceptionDispatchInfo? Failure => CurrentStatus == Status.Failed
        ? Frame as ExceptionDispatchInfo ?? ExceptionDispatchInfo.Capture(new CancelledException(Id, $"{Describe()} was cancelled."))
        : null;

    /// <summary>The task's body has finished executing (or never will). Set on its domain.</summary>
    internal bool BodyDone
    {
        get => (_life & BodyDoneBit) != 0;
        set => _life = With(_life, BodyDoneBit, value);
    }

    /// <summary>The body is done and no child remains: the whole subtree is gone.</summary>
    internal bool TornDown
    {
        get => (_life & TornDownBit) != 0;
        set => _life = With(_life, TornDownBit, value);
    }

    /// <summary>Cancellation was requested for this task (by its parent or by a failing ancestor).</summary>
    internal bool CancelRequested
    {
        get => (_life & CancelRequestedBit) != 0;
        set => _life = With(_life, CancelRequestedBit, value);
    }

    /// <summary>The parent cancelled this promise: later awaits yield <see cref="CancelledException"/> (spec §1.9).</summary>
    internal bool CancelledByParent
    {
        get => (_byParent & CancelledByParentBit) != 0;
        set => _byParent = With(_byParent, CancelledByParentBit, value);
    }

    /// <summary>The task is one of those its parent awaits in an await-any (set while the parent is parked).</summary>
    internal bool WatchedByParent
    {
        get => (_byParent & WatchedByParentBit) != 0;
        set => _byParent = With(_byParent, WatchedByParentBit, value);
    }

    // ---- execution: touched only on the task's domain ----
    internal enum Exec : byte
    {
        NotStarted,
        Queued,
        Running,
        Parked,
        Done,
    }

    internal Exec ExecState
    {
        get => (Exec)(_exec & ExecBits);
        set => _exec = (byte)((_exec & ~ExecBits) | (int)value);
    }

    /// <summary>
    /// The body delegate before the task starts; the innermost suspended frame while it runs; once the body is done, the
    /// <see cref="ExceptionDispatchInfo"/> it failed with, or null.
    /// </summary>
    internal object? Frame;

    /// <summary>The operation the task is suspended in, if any.</summary>
    internal OpKind Op
    {
        get => (OpKind)((_life & OpBits) >> OpShift);
        set => _life = (byte)((_life & ~OpBits) | ((int)value << OpShift));
    }

    /// <summary>How far the pending operation got: the scheduling points answered so far, or a step (at most 15).</summary>
    internal byte OpPhase
    {
        get => (byte)((_exec & OpPhaseBits) >> OpPhaseShift);
        set
        {
            System.Diagnostics.Debug.Assert(value <= MaxOpPhase, "OpPhase has four bits");
            _exec = (byte)((_exec & ~OpPhaseBits) | (value << OpPhaseShift));
        }
    }

    /// <summary>
    /// The run queue holds an entry for this task that must be skipped: a cancellation ran the queued task at once
    /// (spec §1.9), out of its turn. A task is never queued twice and cancelled once at most, so one bit is enough.
    /// </summary>
    internal bool HasStaleEntry
    {
        get => (_exec & StaleEntryBit) != 0;
        set => _exec = With(_exec, StaleEntryBit, value);
    }

    // ---- the state bits. Eleven flags and small enums packed in three bytes (8 bytes less per promise), grouped by the
    // thread that writes them: a byte is rewritten whole, so two threads must never write the same one.

    /// <summary>Linked, Consumed, CancelledByParent, WatchedByParent: written only on the parent's domain.</summary>
    private byte _byParent;

    /// <summary>
    /// The status, BodyDone, TornDown, CancelRequested, Op: written only on the task's domain, read from any. Volatile:
    /// the write of the status (or of TornDown) publishes what was written before it (the outcome) to other domains.
    /// </summary>
    private volatile byte _life;

    /// <summary>ExecState, OpPhase, HasStaleEntry: touched only on the task's domain.</summary>
    private byte _exec;

    private const int LinkedBit = 1, ConsumedBit = 2, CancelledByParentBit = 4, WatchedByParentBit = 8;
    private const int StatusBits = 3, BodyDoneBit = 4, TornDownBit = 8, CancelRequestedBit = 16, OpShift = 5, OpBits = 7 << OpShift;
    private const int ExecBits = 7, OpPhaseShift = 3, OpPhaseBits = 15 << OpPhaseShift, StaleEntryBit = 1 << 7;
    internal const int MaxOpPhase = 15, MaxOpKind = 7;

    private static byte With(byte bits, int bit, bool on) => (byte)(on ? bits | bit : bits & ~bit);

    private void SetStatus(Status status) => _life = (byte)((_life & ~StatusBits) | (int)status);

    /// <summary>
    /// What the pending operation is about (the awaited child, the trigger, …). While the task is parked, it is what the
    /// task is parked on: a wake-up naming anything else is stale.
    /// </summary>
    internal object? OpTarget;

    // ---- outcome transitions ----
    // Only the task's own domain writes the outcome, so a plain check is enough; the outcome is written before the status,
    // whose volatile write publishes it to other domains (a parent reading it after seeing the status sees it whole).
    internal bool TrySetFailed(ExceptionDispatchInfo error)
    {
        if (CurrentStatus != Status.Running)
        {
            return false;
        }

        if (BodyDone)
        {
            Frame = error; // a cancellation (body still running) stores nothing: its frame is still needed
        }

        SetStatus(Status.Failed);
        return true;
    }

    /// <summary>
    /// Whether the task ever spawned a child or owned a resource (its rare fields are allocated): a cheap type check. False
    /// means no child (<see cref="HasChildren"/> is false) and no resource.
    /// </summary>
    internal bool HasRareFields => _siteOrRare is RareFields;

    /// <summary>
    /// Publishes, in one write, what a void body that returned at once leaves: done, returned, and torn down (it has no
    /// child). Only for a running task (see <see cref="Rules.OnBodyReturnedAtOnce"/>).
    /// </summary>
    internal void MarkReturnedAndTornDown()
    {
        System.Diagnostics.Debug.Assert(CurrentStatus == Status.Running && !HasChildren, "a running task without children");
        _life = (byte)((_life & ~StatusBits) | (int)Status.Returned | BodyDoneBit | TornDownBit);
    }

    /// <summary>Marks the task returned (a void task's whole outcome); false if it was already terminated (cancelled).</summary>
    internal bool TryMarkReturned()
    {
        if (CurrentStatus != Status.Running)
        {
            return false;
        }

        SetStatus(Status.Returned);
        return true;
    }

    /// <summary>Runs the body up to its first suspension; this is a void child's (see <see cref="Promise{T}"/> for the others).</summary>
    internal virtual void StartBody()
    {
        var body = Unsafe.As<Func<Fiber>>(Frame!); // this type is created only with a Func<Fiber> body
        Frame = null;
        Fiber<Unit> fiber;
        try
        {
            fiber = body().Inner;
        }
        catch (Exception e)
        {
            Rules.OnBodyFailed(this, ExceptionDispatchInfo.Capture(e));
            return;
        }

        if (fiber.Source is null)
        {
            Rules.OnBodyReturnedAtOnce(this);
            return;
        }

        Started(fiber);
    }

    /// <summary>
    /// What a started body's fiber says when it did not return at once (the callers publish that case themselves, with or
    /// without a value): suspended (it continues into this promise), completed in its frame, or failed.
    /// </summary>
    private protected void Started<T>(Fiber<T> fiber)
    {
        switch (fiber.Source)
        {
            case FiberBox<T> box:
                if (box.IsCompleted)
                {
                    Rules.OnBodyCompleted(this, box);
                }
                else
                {
                    box.SetContinuation(this);
                }

                break;
            default:
                Rules.OnBodyFailed(this, (ExceptionDispatchInfo)fiber.Source!);
                break;
        }
    }

    /// <summary>What an await of this promise yields, its value ignored.</summary>
    internal Result<Unit> UnitOutcome()
    {
        if (CancelledByParent)
        {
            return Result<Unit>.Fail(new CancelledException(Id, $"{Describe()} was cancelled."));
        }

        return Failure is { } error ? Result<Unit>.Fail(error) : Result<Unit>.Ok(default);
    }

    /// <summary>
    /// What an await of this promise does with its value ignored: nothing if it returned, else throw what
    /// <see cref="UnitOutcome"/> holds. The common case (returned, not cancelled by the parent) builds no result.
    /// </summary>
    internal void ThrowIfFailed()
    {
        if (CancelledByParent || CurrentStatus == Status.Failed)
        {
            UnitOutcome().ValueOrThrow();
        }
    }

    internal virtual void ReturnBoxed(FiberBox box) => Rules.OnBodyReturned(this);

    internal sealed override void OnCalleeCompleted(FiberBox callee) => Rules.OnBodyCompleted(this, callee);

    // ---- the children list ----
    internal void LinkChild(Promise child)
    {
        var rare = _siteOrRare as RareFields ?? MakeRare();
        if (rare.LeftChildren > rare.LinkedChildren + SweepSlack)
        {
            // Swept here, not as children leave: a task awaiting a batch of children in spawn order makes them leave from
            // the list's oldest end, and sweeps then would walk the batch again and again before it empties the list anyway.
            SweepChildren(rare);
        }

        var entries = rare.Children;
        var count = rare.Count;
        if ((uint)count >= (uint)entries.Length)
        {
            entries = GrowChildren(rare);
        }

        entries[count] = new ChildEntry(child);
        rare.Count = count + 1;
        rare.LinkedChildren++;
        child.Linked = true;
    }

    private static ChildEntry[] GrowChildren(RareFields rare)
    {
        var bigger = new ChildEntry[Math.Max(4, rare.Children.Length * 2)];
        Array.Copy(rare.Children, bigger, rare.Count);
        rare.Children = bigger;
        return bigger;
    }

    /// <summary>
    /// The child leaves the list: it is marked, not removed (no store into the array). The list is emptied when no child
    /// is left in it; at the next spawn it is swept if those that left outnumber the others by more than a few. So the
    /// list is never longer than it was at the last spawn, when it held at most about twice the children still in it.
    /// </summary>
    internal void UnlinkChild(Promise child)
    {
        if (!child.Linked || child.Parent != this)
        {
            return;
        }

        child.Linked = false;
        var rare = Unsafe.As<RareFields>(_siteOrRare!); // a linked child means the list exists
        if (--rare.LinkedChildren == 0)
        {
            if (rare.Children.Length > MaxKeptChildrenCapacity)
            {
                rare.Children = []; // a burst's array is not held for the rest of the task's life
            }
            else
            {
                // The children that left are garbage now, unless someone holds their promises (no GC write barrier: nulls).
                Array.Clear(rare.Children, 0, rare.Count);
            }

            rare.Count = 0;
            rare.LeftChildren = 0;
        }
        else
        {
            rare.LeftChildren++;
        }
    }

    private const int SweepSlack = 16;

    /// <summary>
    /// The largest children array an emptied list keeps for its next spawns (8 KB): a task that once had more children at
    /// a time (a burst of connections, a fork of a million) gives its array back when the last of them leaves, or trades
    /// it for a smaller one at a sweep that keeps a quarter of it or less.
    /// </summary>
    internal const int MaxKeptChildrenCapacity = 1024;

    /// <summary>The capacity of the children array (0 before the first spawn); for tests.</summary>
    internal int ChildrenCapacity => _siteOrRare is RareFields rare ? rare.Children.Length : 0;

    /// <summary>Drops the children that left from the list, keeping the order of the others.</summary>
    private static void SweepChildren(RareFields rare)
    {
        var entries = rare.Children;
        var kept = 0;
        for (var i = 0; i < rare.Count; i++)
        {
            if (entries[i].Child.Linked)
            {
                if (kept != i)
                {
                    entries[kept] = entries[i];
                }

                kept++;
            }
        }

        if (entries.Length > MaxKeptChildrenCapacity && kept <= entries.Length / 4)
        {
            // Most of a burst has left and the list never emptied (a server's root keeps a few children): a smaller array,
            // with room to double, instead of the burst's for the rest of the task's life.
            var smaller = new ChildEntry[Math.Max(MaxKeptChildrenCapacity, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)kept * 2))];
            Array.Copy(entries, smaller, kept);
            rare.Children = smaller;
        }
        else
        {
            Array.Clear(entries, kept, rare.Count - kept);
        }

        rare.Count = kept;
        rare.LeftChildren = 0;
    }

    /// <summary>The parent takes note that it awaited or cancelled <paramref name="child"/> (spec §1.2: it is consumed).</summary>
    internal void Consume(Promise child)
    {
        if (!ReferenceEquals(child.Parent, this))
        {
            return;
        }

        child.Consumed = true;
        if (child.TornDown)
        {
            UnlinkChild(child);
        }
    }

    /// <summary>The children rule 1 counts: neither awaited nor cancelled.</summary>
    internal List<Promise> UnconsumedChildren()
    {
        var children = new List<Promise>();
        foreach (var c in Children)
        {
            if (!c.Consumed && !c.CancelRequested)
            {
                children.Add(c);
            }
        }

        return children;
    }

    /// <summary>"task #3 (spawned at Program.cs:12)", or "the root task #1 (Fiber.Run)".</summary>
    internal string Describe()
    {
        if (Parent is null)
        {
            return $"the root task #{Id} (Fiber.Run)";
        }

        return Site is null ? $"task #{Id}" : $"task #{Id} (spawned at {Site})";
    }
}

/// <summary>The promise of a task that returns a <typeparamref name="T"/>.</summary>
public sealed class Promise<T> : Promise
{
    private T _value = default!;

    // body: a Func<Fiber<T>>, or a Func<Fiber> when T is Unit.
    internal Promise(RunContext run, Promise? parent, DomainScheduler domain, Delegate body, string? spawnFile, int spawnLine)
        : base(run, parent, domain, spawnFile, spawnLine) => Frame = body;

    internal T Value => _value;

    internal bool TrySetReturned(T value)
    {
        if (IsTerminated)
        {
            return false; // cancelled, then returned anyway: the value is discarded
        }

        _value = value;
        return TryMarkReturned();
    }

    internal override void StartBody()
    {
        var body = Frame!;
        Frame = null;
        Fiber<T> fiber;
        try
        {
            if (body is Func<Fiber> voidBody)
            {
                var inner = voidBody().Inner;
                fiber = Unsafe.As<Fiber<Unit>, Fiber<T>>(ref inner); // T is Unit here
            }
            else
            {
                fiber = ((Func<Fiber<T>>)body)();
            }
        }
        catch (Exception e)
        {
            Rules.OnBodyFailed(this, ExceptionDispatchInfo.Capture(e));
            return;
        }

        if (fiber.Source is null)
        {
            Rules.OnBodyReturned(this, fiber.SyncResult);
            return;
        }

        Started(fiber);
    }

    internal override void ReturnBoxed(FiberBox box) => Rules.OnBodyReturned(this, ((FiberBox<T>)box).Result);

    /// <summary>What an await of this promise yields (spec §1.7).</summary>
    internal Result<T> Outcome()
    {
        if (CancelledByParent)
        {
            return Result<T>.Fail(new CancelledException(Id, $"{Describe()} was cancelled."));
        }

        return Failure is { } error ? Result<T>.Fail(error) : Result<T>.Ok(_value);
    }
}
