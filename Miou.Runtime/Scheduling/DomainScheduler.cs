using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Miou.Scheduling;

/// <summary>
/// One domain's scheduler: its run queue, the priority queue of pending cancellations, an inbox for what other threads
/// send it, its event source and its hooks. Everything but the inbox is touched only by the domain's own thread; other
/// threads reach a task only through <see cref="Post"/>. This is the loop of spec §8.
/// </summary>
internal sealed partial class DomainScheduler
{
    [ThreadStatic]
    private static DomainScheduler? t_current;

    private readonly RunQueue _runnable = new();
    private readonly Queue<Promise> _cancels = new();
    private readonly ConcurrentQueue<Message> _inbox = new();
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly Prng? _policyRandom;
    private readonly List<int> _cancelledSyscalls = [];
    private readonly List<Hook> _hooks = [];
    private readonly int _quanta;
    private readonly Action<TraceEvent>? _trace; // the run's trace consumer (RunContext.Trace), read at every trace point

    internal DomainScheduler(RunContext run, int uid)
    {
        Run = run;
        Uid = uid;
        Random = new Prng(run.Seed + (ulong)uid * 0x9E3779B97F4A7C15UL);
        _policyRandom = run.Policy == SchedulingPolicy.Random ? Random : null;
        _quanta = run.Quanta;
        _trace = run.Trace;
        SuspendSentinel = SentinelNeverInvoked;
    }

    /// <summary>
    /// Passed to an awaiter's <c>UnsafeOnCompleted</c> by Miou's builders: "register on this domain's running task, the
    /// suspending frame is in <see cref="SuspendingFrame"/>". One per domain, its target the domain: the awaiter finds its
    /// domain through it instead of reading the thread-static current domain again. Never invoked.
    /// </summary>
    internal readonly Action SuspendSentinel;

    private void SentinelNeverInvoked() => throw new InvalidOperationException("Miou's suspension sentinel is never invoked.");

    internal RunContext Run { get; }

    internal int Uid { get; }

    /// <summary>The domain's generator: policy choices and the random choices operations make (await-first's winner, …).</summary>
    internal Prng Random { get; }

    /// <summary>The task running right now on this domain, if any.</summary>
    internal Promise? Running { get; private set; }

    internal IEvents? Events { get; set; }

    /// <summary>
    /// Set by a builder just before it hands the suspending frame to a Miou awaiter, which reads it. Not cleared after use
    /// (every suspension sets it first): a loop that suspends the same frame again then stores nothing.
    /// </summary>
    internal Building.FiberBox? SuspendingFrame;

    /// <summary>The spawn sites of the tasks spawned on this domain, interned (see <see cref="SpawnSite"/>).</summary>
    internal readonly SpawnSiteCache SpawnSites = new();

    /// <summary>What the resumed task's awaiter throws at its suspension point (a broken rule, a cancellation), taken at once.</summary>
    internal Exception? ResumeException;

    /// <summary>Tasks parked in <see cref="Fiber.Suspend(Syscall, Action?)"/>: while positive, the event source is polled after every step.</summary>
    internal int PendingSuspensions
    {
        get => _pendingSuspensions;
        set
        {
            _attention += value - _pendingSuspensions;
            _pendingSuspensions = value;
        }
    }

    private int _pendingSuspensions;

    /// <summary>
    /// How many of this thread's own reasons a step has to do more than pop a task: hooks to run, cancellations queued, tasks
    /// suspended on the event source (<c>_hooks.Count + _cancels.Count + PendingSuspensions</c>, kept as they change, all
    /// on this thread). A step, and <see cref="NextStepPopsOnly"/>, read this one field instead of those three (five
    /// loads); when it is not zero they look at each as before.
    /// </summary>
    private int _attention;

    /// <summary>The count of <see cref="_attention"/>, for tests.</summary>
    internal int Attention => _attention;

    private void EnqueueCancel(Promise task)
    {
        _cancels.Enqueue(task);
        _attention++;
    }

    private Promise DequeueCancel()
    {
        _attention--;
        return _cancels.Dequeue();
    }

    /// <summary>The syscall most recently suspended on here (for the message of a run without event source).</summary>
    internal Syscall? LastSuspended { get; set; }

    internal static DomainScheduler? Current => t_current;

    internal static Promise? CurrentTask => t_current?.Running;

    internal bool IsCurrentThread => ReferenceEquals(t_current, this);

    /// <summary>Makes this the current thread's domain; returns the previous one (a run can be nested in a task).</summary>
    internal DomainScheduler? Enter()
    {
        var previous = t_current;
        t_current = this;
        return previous;
    }

    internal static void Leave(DomainScheduler? previous) => t_current = previous;

    // ------------------------------------------------------------------ queues and cross-thread messages

    internal void Enqueue(Promise task)
    {
        if (task.ExecState != Promise.Exec.NotStarted)
        {
            task.ExecState = Promise.Exec.Queued;
        }

        _runnable.Push(task);
    }

    private enum MessageKind : byte
    {
        Wake,
        Cancel,
        ChildTerminated,
        ChildTornDown,
        Start,
        Transfer,
    }

    private readonly record struct Message(MessageKind Kind, Promise Task, object? Token);

    // Set after every post, cleared before every drain: a step reads one flag instead of probing the concurrent queue.
    private volatile bool _inboxPending;

    private void Post(Message message)
    {
        _inbox.Enqueue(message);
        _inboxPending = true;
        Interrupt();
    }

    /// <summary>Wakes the domain's thread if it waits for work or in its event source. Any thread; never blocks.</summary>
    internal void Interrupt()
    {
        _wake.Set();
        Events?.Interrupt();
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void DrainInbox()
    {
        if (_inboxPending)
        {
            DrainPostedMessages(); // the flag is checked inline: a step with nothing posted makes no call
        }
    }

    private void DrainPostedMessages()
    {
        _inboxPending = false;
        // A full fence between the clear and the queue's reads: a volatile store may be delayed past the loads that follow
        // it, and then a post made in between (its message enqueued, the flag set) could have its flag overwritten by this
        // clear after the loop found the queue empty. The message would stay in the queue, unseen by every later step
        // until the next post (and Idle, which sees it there, would not wait either). Only posts come here: off the
        // single-domain hot path.
        Interlocked.MemoryBarrier();
        while (_inbox.TryDequeue(out var message))
        {
            switch (message.Kind)
            {
                case MessageKind.Wake:
                    WakeLocal(message.Task, message.Token!);
                    break;
                case MessageKind.Cancel:
                    EnqueueCancel(message.Task);
                    break;
                case MessageKind.ChildTerminated:
                    OnChildTerminatedLocal(message.Task);
                    break;
                case MessageKind.ChildTornDown:
                    OnChildTornDownLocal(message.Task);
                    break;
                case MessageKind.Start:
                    Enqueue(message.Task);
                    break;
                case MessageKind.Transfer:
                    var (resource, done) = ((Resource, Trigger))message.Token!;
                    Ownership.AttachTransferred(message.Task, resource);
                    done.Signal();
                    break;
            }
        }
    }

    // ------------------------------------------------------------------ parking and waking

    /// <summary>Parks the task on its operation's target (<see cref="Promise.OpTarget"/>): only a wake-up naming it resumes it.</summary>
    private static void Park(Promise task) => task.ExecState = Promise.Exec.Parked;

    /// <summary>Resumes <paramref name="task"/> if it is still parked on <paramref name="token"/>. Any thread.</summary>
    internal void Wake(Promise task, object token) => Wake(task, token, local: IsCurrentThread);

    /// <summary>
    /// Resumes <paramref name="task"/> if it is still parked on <paramref name="token"/>; the caller runs on
    /// <paramref name="current"/>'s thread (null: on no domain's thread), so no thread-static read tells whether the
    /// wake-up is local.
    /// </summary>
    internal void Wake(Promise task, object token, DomainScheduler? current)
    {
        System.Diagnostics.Debug.Assert(ReferenceEquals(current, t_current), "the caller runs on the domain it names");
        Wake(task, token, local: ReferenceEquals(this, current));
    }

    private void Wake(Promise task, object token, bool local)
    {
        if (local)
        {
            WakeLocal(task, token);
        }
        else
        {
            Post(new Message(MessageKind.Wake, task, token));
        }
    }

    private void WakeLocal(Promise task, object token)
    {
        if (task.ExecState != Promise.Exec.Parked || !ReferenceEquals(task.OpTarget, token))
        {
            return; // stale: the task was resumed otherwise (cancelled) and may be parked on something else now
        }

        // Queued with its operation still pending: answering it again finds the awaited event has happened.
        Trace(TraceKind.Resume, task);
        Enqueue(task);
    }

    /// <summary>Makes a new task runnable on this domain. Any thread.</summary>
    internal void Start(Promise task)
    {
        if (IsCurrentThread)
        {
            Enqueue(task);
        }
        else
        {
            Run.GoingMultiDomain(); // before the post: the task's domain must see it set (RunContext's counters)
            Post(new Message(MessageKind.Start, task, null));
        }
    }

    /// <summary>Adds <paramref name="resource"/> to <paramref name="task"/>'s resources on its domain, then signals <paramref name="done"/>.</summary>
    internal void PostTransfer(Promise task, Resource resource, Trigger done) =>
        Post(new Message(MessageKind.Transfer, task, (resource, done)));

    /// <summary>Asks this domain to cancel <paramref name="task"/>. Cancellations run before any other task (spec §8.2).</summary>
    internal void DispatchCancel(Promise task)
    {
        if (IsCurrentThread)
        {
            EnqueueCancel(task);
        }
        else
        {
            Post(new Message(MessageKind.Cancel, task, null));
        }
    }

    /// <summary>
    /// Tells the parent's domain that <paramref name="child"/> terminated (its parent may be awaiting it). Called on the
    /// child's domain, so the parent's domain is this thread's exactly when it is the child's (no thread-static read).
    /// </summary>
    internal static void NotifyTerminated(Promise child)
    {
        if (child.Parent is not { } parent)
        {
            return;
        }

        System.Diagnostics.Debug.Assert(child.Domain.IsCurrentThread, "a task terminates on its own domain");
        var domain = parent.Domain;
        if (ReferenceEquals(domain, child.Domain))
        {
            domain.OnChildTerminatedLocal(child);
        }
        else
        {
            domain.Post(new Message(MessageKind.ChildTerminated, child, null));
        }
    }

    /// <summary>Tells the parent's domain that <paramref name="child"/>'s whole subtree is gone. Called on the child's domain.</summary>
    internal static void NotifyTornDown(Promise child)
    {
        System.Diagnostics.Debug.Assert(child.Domain.IsCurrentThread, "a task is torn down on its own domain");
        var domain = child.Parent!.Domain;
        if (ReferenceEquals(domain, child.Domain))
        {
            domain.OnChildTornDownLocal(child);
        }
        else
        {
            domain.Post(new Message(MessageKind.ChildTornDown, child, null));
        }
    }

    /// <summary>
    /// A child whose parent runs on the same domain terminated and was torn down at once (<see cref="Rules.OnBodyReturnedAtOnce"/>):
    /// both notifications, in the order the general path sends them.
    /// </summary>
    internal static void NotifyEndedLocal(Promise child)
    {
        var domain = child.Domain;
        domain.OnChildTerminatedLocal(child);
        domain.OnChildTornDownLocal(child);
    }

    private void OnChildTerminatedLocal(Promise child)
    {
        var parent = child.Parent!;
        if (parent.ExecState != Promise.Exec.Parked)
        {
            return;
        }

        if (parent.Op == OpKind.Await && ReferenceEquals(parent.OpTarget, child))
        {
            WakeLocal(parent, child);
        }
        else if (parent.Op == OpKind.AwaitAny && child.WatchedByParent)
        {
            WakeLocal(parent, parent.OpTarget!);
        }
    }

    private void OnChildTornDownLocal(Promise child)
    {
        var parent = child.Parent!;
        if (child.CancelRequested || child.Consumed)
        {
            // A cancelled or awaited child leaves its parent's children once its subtree is fully torn down.
            parent.UnlinkChild(child);
            Rules.MaybeTornDown(parent);
        }

        if (parent.ExecState == Promise.Exec.Parked && parent.Op == OpKind.Cancel && ReferenceEquals(parent.OpTarget, child))
        {
            WakeLocal(parent, child);
        }
    }

    // ------------------------------------------------------------------ the loop

    /// <summary>Runs dom0 until every task of the run, on every domain, has finished, or a fatal error stops the run.</summary>
    internal void RunUntilQuiescent()
    {
        while (Run.LiveTasks > 0 && Run.Fatal is null)
        {
            try
            {
                while (Run.LiveTasks > 0 && Run.Fatal is null)
                {
                    Step();
                }
            }
            catch (Exception e)
            {
                OnFatal(e);
            }
        }
    }

    /// <summary>A worker's thread: create its event source, then run steps until the run stops.</summary>
    internal void RunWorker(CountdownEvent registered)
    {
        var previous = Enter();
        try
        {
            try
            {
                Events = Run.Events?.Invoke(new Domain(Uid));
            }
            finally
            {
                registered.Signal();
            }

            while (!Run.Stopping && Run.Fatal is null)
            {
                try
                {
                    while (!Run.Stopping && Run.Fatal is null)
                    {
                        Step();
                    }
                }
                catch (Exception e)
                {
                    OnFatal(e);
                }
            }
        }
        catch (Exception e)
        {
            Run.Fail(ExceptionDispatchInfo.Capture(e));
        }
        finally
        {
            Leave(previous);
            DisposeEvents();
        }
    }

    /// <summary>
    /// Only the scheduler's own checks (rules 1 and 4, the event source) throw out of a step: tasks' exceptions are caught
    /// by their state machines. This is what "fatal" means: the whole run stops and Fiber.Run throws it.
    /// </summary>
    private void OnFatal(Exception error)
    {
        Running = null;
        Run.Fail(ExceptionDispatchInfo.Capture(error));
    }

    /// <summary>Calls the event source's finaliser; an error there is fatal unless the run already failed.</summary>
    internal void DisposeEvents()
    {
        try
        {
            Events?.Dispose();
        }
        catch (Exception e)
        {
            if (Run.Fatal is null)
            {
                Run.Fail(ExceptionDispatchInfo.Capture(e));
            }
            else
            {
                Run.OnUnobservedError($"the event source of {new Domain(Uid)} threw while being disposed", e);
            }
        }
    }

    /// <summary>One step: hooks, inbox, then one cancellation or one task slot, then a non-blocking poll if needed.</summary>
    private void Step()
    {
        BeginStep();
        if (_attention != 0 && _cancels.Count != 0)
        {
            ProcessCancel(DequeueCancel());
        }
        else if (_runnable.TryPop(_policyRandom) is { } task)
        {
            if (task.HasStaleEntry)
            {
                task.HasStaleEntry = false;
            }
            else
            {
                RunSlot(task);
                if (_stepsRanInPlace)
                {
                    _stepsRanInPlace = false; // this step's rest and the steps after it ran in the task (RunOperationInPlace)
                    return;
                }
            }
        }
        else
        {
            Idle();
            return;
        }

        EndStep();
    }

    /// <summary>What every step does first (<see cref="Step"/>, and the steps run in place, <see cref="StepsUntilPopped"/>).</summary>
    private void BeginStep()
    {
        if (_attention != 0 && _hooks.Count != 0)
        {
            RunHooks();
        }

        DrainInbox();
    }

    /// <summary>What every step that did not idle does last: a poll of the event source without blocking, if a task waits on it.</summary>
    private void EndStep()
    {
        if (_attention != 0 && PendingSuspensions > 0)
        {
            PollEvents(block: false);
        }
    }

    /// <summary>Nothing to run: block in the event source if a task waits on it, else until another thread posts.</summary>
    private void Idle()
    {
        if (PendingSuspensions > 0)
        {
            PollEvents(block: true);
            return;
        }

        // No spinning: a post from another thread (a wake-up, a new task, a cancellation), the end of the run, a fatal
        // error, or the last task of the run ending (for dom0, which leaves then) sets the event.
        _wake.Reset();
        if (_inbox.IsEmpty && Run.Fatal is null && !Run.Stopping && (Uid != 0 || Run.LiveTasks > 0))
        {
            _wake.Wait();
        }
    }

    private void PollEvents(bool block)
    {
        DrainInbox();
        block &= _runnable.Count == 0 && _cancels.Count == 0 && _inbox.IsEmpty;
        var events = Events ?? throw new NoEventSourceException(NoEvents.Message(this));
        var signals = events.Select(block, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_cancelledSyscalls));
        _cancelledSyscalls.Clear();
        foreach (var signal in signals)
        {
            signal.Apply();
        }
    }

    internal void SyscallCancelled(int id) => _cancelledSyscalls.Add(id);

    // ------------------------------------------------------------------ running a task

    /// <summary>
    /// One slot of <paramref name="task"/>: start it or answer its pending operation, resume it, and go on answering its
    /// operations while its quanta last (spec §8.4). A yield or a park ends the slot early.
    /// </summary>
    /// <remarks>
    /// <see cref="Running"/> is set only before code that may read it runs: the task's own code (its body, a resumption),
    /// an operation's answer by its target or by <see cref="AnswerOther"/> (which may call a cancellation callback), a
    /// cancelled body's failure (resource finalisers). A slot that only answers a point of a yield or a spawn and ends
    /// stores nothing there (a reference store and its GC write barrier fewer; under the random policy a parent answers
    /// many such points while its children are queued).
    /// </remarks>
    private void RunSlot(Promise task)
    {
        RunSlotCore(task);
        Running = null;
    }

    /// <summary>
    /// <see cref="RunSlot"/> but its last store. No try/finally: an exception out of a slot is fatal, and every caller's
    /// handler (<see cref="RunUntilQuiescent"/>, <see cref="RunWorker"/>, <see cref="StepsUntilPopped"/>) clears
    /// <see cref="Running"/> in <see cref="OnFatal"/>; without the protected region the slot's locals stay in registers.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void RunSlotCore(Promise task)
    {
        var budget = _quanta;
        var dequeued = true; // the pending operation was performed in an earlier slot: answer it whatever it is
        if (task.ExecState == Promise.Exec.NotStarted)
        {
            Running = task;
            task.ExecState = Promise.Exec.Running;
            if (task.CancelRequested)
            {
                Rules.OnBodyFailed(task, Rules.Cancelled(task)); // cancelled before it ever ran: the body never runs
                return;
            }

            Trace(TraceKind.Start, task);
            _budget = 0; // before the body runs: its first scheduling point is answered in a later slot (spec §8.4)
            task.StartBody(); // runs up to the first point it suspends on (earlier ones may be answered in place)
            if (_stepsRanInPlace)
            {
                return; // the slot ended in the task, which is queued already (RunOperationInPlace)
            }

            budget = _budget;
            dequeued = false;
        }
        else
        {
            task.ExecState = Promise.Exec.Running;
        }

        while (!task.BodyDone)
        {
            if (task.Op == OpKind.None)
            {
                throw new InvalidOperationException($"Miou internal error: {task.Describe()} stopped without suspending or finishing.");
            }

            if (!dequeued && (budget == 0 || task.Op == OpKind.Yield))
            {
                if (!NextStepPopsOnly())
                {
                    Enqueue(task); // back to the tail: a yield ends the slot whatever the quanta
                    return;
                }

                // The slot ends here, and the next step would only pop this task again: the next slot, run in place.
                budget = _quanta;
                dequeued = true;
                continue;
            }

            dequeued = false;
            budget--;
            switch (Answer(task))
            {
                case Answered.Resume:
                    _budget = budget; // the task's awaiters may spend it (TryAnswerPointInPlace)
                    if (!ReferenceEquals(Running, task))
                    {
                        Running = task; // a slot resuming its task more than once (quanta) stores it once
                    }

                    Resume(task);
                    if (_stepsRanInPlace)
                    {
                        return; // the slot ended in the task, which is queued already (RunOperationInPlace)
                    }

                    budget = _budget;
                    break;
                case Answered.Park:
                    return;
            }
        }
    }

    /// <summary>Runs a suspended task right now with a cancellation at its suspension point (spec §1.9 step 3).</summary>
    private void ResumeCancelled(Promise task)
    {
        if (task.ExecState == Promise.Exec.Queued)
        {
            task.HasStaleEntry = true; // it runs now, out of its turn: its run-queue entry is stale
        }

        if (task.Op == OpKind.Custom)
        {
            ((SchedulerOp)task.OpTarget!).Cancelled(task); // leave the wait queue before the cancellation is thrown
        }

        Running = task;
        try
        {
            task.ExecState = Promise.Exec.Running;
            Resume(task);
            while (!task.BodyDone && task.Op != OpKind.None)
            {
                // Every further scheduling point of a cancelled task throws again at once.
                Resume(task);
            }
        }
        finally
        {
            Running = null;
        }
    }

    private void Resume(Promise task)
    {
        if (task.CancelRequested)
        {
            ResumeException ??= Rules.Cancelled(task).SourceException;
        }

        // A task with a pending operation is suspended in a frame (Suspension.Register stored it): no cast check needed.
        System.Diagnostics.Debug.Assert(task.Frame is Building.FiberBox, "a suspended task's Frame is its innermost frame");
        var frame = System.Runtime.CompilerServices.Unsafe.As<Building.FiberBox>(task.Frame!);
        task.Op = OpKind.None;
        task.OpTarget = null;
        task.OpPhase = 0;
        frame.MoveNext();
    }

    /// <summary>
    /// Answers one scheduling point of the task's pending operation. The two operations that only count points (a yield,
    /// the points of a spawn and the like) are answered inline in the slot, an operation its target answers by
    /// <see cref="AnswerCustom"/>, the others by <see cref="AnswerOther"/>.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private Answered Answer(Promise task)
    {
        if (!task.CancelRequested)
        {
            switch (task.Op)
            {
                case OpKind.Yield:
                    return Answered.Resume;
                case OpKind.Points:
                    return --task.OpPhase > 0 ? Answered.Again : Answered.Resume;
                case OpKind.Custom:
                    return AnswerCustom(task); // straight to it: not through AnswerOther's second cancellation check and switch
            }
        }

        return AnswerOther(task);
    }

    /// <summary>
    /// Answers one point of an operation its target answers (a mutex, a condition, a computation). Not inlined: inlined
    /// into the slot, with the target's answer devirtualised into it, it bloated the slot of every other operation
    /// (spawn+await, which has none, measured slower).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private Answered AnswerCustom(Promise task)
    {
        System.Diagnostics.Debug.Assert(task.OpTarget is SchedulerOp, "a custom operation's target answers it");
        var op = System.Runtime.CompilerServices.Unsafe.As<SchedulerOp>(task.OpTarget!);
        if (!op.AnswersWithoutCode || _trace is not null)
        {
            // The target's answer may run code that asks for the current task (see RunSlot); so may a trace consumer,
            // which the answer's wake-ups and park call. Otherwise RunSlot stores the task if the answer resumes it.
            Running = task;
        }

        var answer = op.Answer(this, task);
        if (answer == Answered.Park)
        {
            Trace(TraceKind.Await, task);
            Park(task);
        }

        return answer;
    }

    /// <summary>Answers one scheduling point of the task's pending operation (any operation; see <see cref="Answer"/>).</summary>
    private Answered AnswerOther(Promise task)
    {
        Running = task; // a cancellation callback may ask for the current task (see RunSlot)
        if (task.CancelRequested)
        {
            if (task.Op == OpKind.Custom)
            {
                ((SchedulerOp)task.OpTarget!).Cancelled(task);
            }

            return Answered.Resume; // Resume throws the cancellation at the suspension point
        }

        switch (task.Op)
        {
            case OpKind.Yield:
                return Answered.Resume;

            case OpKind.Points:
                return --task.OpPhase > 0 ? Answered.Again : Answered.Resume;

            case OpKind.Await:
            {
                var child = (Promise)task.OpTarget!;
                if (task.OpPhase == 0)
                {
                    // who-am-I point: rule 2, a task awaits only its own children
                    if (Rules.CheckIsChild(task, child, "await") is { } error)
                    {
                        ResumeException = error;
                        return Answered.Resume;
                    }

                    if (child.IsTerminated)
                    {
                        return Answered.Resume;
                    }

                    task.OpPhase = 1;
                    return Answered.Again;
                }

                if (child.IsTerminated)
                {
                    return Answered.Resume;
                }

                Trace(TraceKind.Await, task, child.Id);
                Park(task);
                return Answered.Park;
            }

            case OpKind.AwaitAny:
            {
                var children = (Promise[])task.OpTarget!;
                if (task.OpPhase == 0)
                {
                    foreach (var child in children)
                    {
                        if (Rules.CheckIsChild(task, child, "await") is { } error)
                        {
                            ResumeException = error;
                            return Answered.Resume;
                        }
                    }
                }

                // who-am-I, the random state, and the original's proxy task (spawn: 2 points, await: 1) — spec §1.3.
                if (++task.OpPhase < 5)
                {
                    return Answered.Again;
                }

                foreach (var child in children)
                {
                    if (child.IsTerminated)
                    {
                        return Answered.Resume;
                    }
                }

                foreach (var child in children)
                {
                    child.WatchedByParent = true;
                }

                Trace(TraceKind.Await, task, children[0].Id);
                Park(task);
                return Answered.Park;
            }

            case OpKind.Cancel:
            {
                var child = (Promise)task.OpTarget!;
                if (task.OpPhase == 0)
                {
                    if (Rules.CheckIsChild(task, child, "cancel") is { } error)
                    {
                        ResumeException = error;
                        return Answered.Resume;
                    }

                    task.OpPhase = 1;
                    return Answered.Again;
                }

                Trace(TraceKind.Cancel, task, child.Id);
                child.Domain.DispatchCancel(child);
                if (child.TornDown)
                {
                    return Answered.Resume;
                }

                Park(task);
                return Answered.Park;
            }

            case OpKind.Trigger:
            {
                var trigger = (Trigger)task.OpTarget!;
                switch (trigger.TryAttachTask(task))
                {
                    case Trigger.Attach.AlreadySignalled:
                        return Answered.Resume;
                    case Trigger.Attach.Busy:
                        ResumeException = trigger.AlreadyAwaiting($"{task.Describe()} awaited a trigger"); // thrown in the task, not in the scheduler
                        return Answered.Resume;
                }

                Trace(TraceKind.Await, task);
                Park(task);
                return Answered.Park;
            }

            case OpKind.Custom:
                return AnswerCustom(task);

            default:
                throw new InvalidOperationException($"Miou internal error: unknown operation {task.Op}.");
        }
    }

    /// <summary>Processes a cancellation on the cancelled task's own domain (spec §1.9).</summary>
    private void ProcessCancel(Promise task)
    {
        if (task.CancelRequested)
        {
            return; // cancelling twice is harmless
        }

        task.CancelRequested = true;
        Trace(TraceKind.Cancelled, task);
        if (task.TrySetFailed(Rules.Cancelled(task)))
        {
            NotifyTerminated(task); // a parent awaiting it sees the cancellation at once
        }

        foreach (var child in task.Children)
        {
            child.Domain.DispatchCancel(child);
        }

        switch (task.ExecState)
        {
            case Promise.Exec.NotStarted:
                task.HasStaleEntry = true; // started, so queued: that entry is stale now that the body never runs
                task.ExecState = Promise.Exec.Running;
                Rules.OnBodyFailed(task, Rules.Cancelled(task)); // its body never runs
                break;
            case Promise.Exec.Queued:
            case Promise.Exec.Parked:
                ResumeCancelled(task);
                break;
            case Promise.Exec.Done when task.TornDown:
                NotifyTornDown(task); // torn down before it was cancelled: now it may leave its parent's children
                break;
            case Promise.Exec.Done:
                Rules.MaybeTornDown(task);
                break;
        }
    }

    // ------------------------------------------------------------------ hooks and tracing

    internal void AddHook(Hook hook)
    {
        _hooks.Add(hook);
        _attention++;
    }

    internal void RemoveHook(Hook hook)
    {
        if (_hooks.Remove(hook))
        {
            _attention--;
        }
    }

    private void RunHooks()
    {
        // Newest first; a hook that throws is removed and reported (spec §6.7). Hooks run outside any task.
        for (var i = _hooks.Count - 1; i >= 0; i--)
        {
            var hook = _hooks[i];
            try
            {
                hook.Action();
            }
            catch (Exception e)
            {
                RemoveHook(hook);
                Run.OnUnobservedError($"hook #{hook.Id} threw and was removed", e);
            }
        }
    }

    /// <summary>Emits a trace event if the run has a trace consumer; the check is inlined at every trace point.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal void Trace(TraceKind kind, Promise task, int other = 0, string? name = null)
    {
        if (_trace is not null)
        {
            Emit(kind, task, other, name);
        }
    }

    /// <summary>
    /// Calls the trace consumer. It is called in the middle of the scheduler's bookkeeping (a child linked but not queued
    /// yet, a task queued on a mutex but not parked yet): an exception of it is not let into that code, or into the task
    /// whose operation emitted the event, but stops the run as a fatal error (the run stops at its next step).
    /// </summary>
    private void Emit(TraceKind kind, Promise task, int other, string? name)
    {
        try
        {
            _trace!(new TraceEvent(kind, task.Id, other, Uid, name));
        }
        catch (Exception e)
        {
            Run.Fail(ExceptionDispatchInfo.Capture(e));
        }
    }
}
