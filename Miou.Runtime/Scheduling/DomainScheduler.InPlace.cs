namespace Miou.Scheduling;

/// <summary>
/// Operations answered in the running task's awaiter instead of by a suspension and a later slot: the same answers, the
/// same steps in the same order (spec §1.3, §8), without unwinding and rebuilding the task's frame. An await of a finished
/// child answered by the slot's budget (<see cref="TryAnswerPointInPlace"/>); on dom0, a spawn's points and an await of a
/// running child, whose slot and the steps after it run in the awaiter until the task's turn comes back
/// (<see cref="RunOperationInPlace"/>).
/// </summary>
internal sealed partial class DomainScheduler
{
    /// <summary>
    /// The scheduling points the running task's slot may still answer without ending (spec §8.4's quanta) while the task
    /// runs: <see cref="RunSlot"/> keeps its count in a local and hands it over here only around the task's code, whose
    /// awaiters spend it when they answer an operation in place (<see cref="TryAnswerPointInPlace"/>).
    /// </summary>
    private int _budget;

    /// <summary>
    /// Answers now, on the running <paramref name="task"/>'s behalf, one scheduling point of an operation that only counts
    /// points (its answer resumes the task whatever happened), when the slot would answer it with nothing else done first:
    /// the slot's budget covers it, or <see cref="NextStepPopsOnly"/> holds (then the point starts a slot run in place, as
    /// <see cref="RunSlot"/> does). The point is spent from the budget as the slot would spend it. Then the awaiter completes
    /// at once: no suspension, no resumption. Refused, so that the task suspends and the slot answers it, when the task is
    /// cancelled (the answer throws), or when an operation is already pending (a discarded fiber: registering this one
    /// reports it).
    /// </summary>
    private bool TryAnswerPointInPlace(Promise task)
    {
        if (task.Op != OpKind.None || task.CancelRequested)
        {
            return false;
        }

        if (_budget == 0)
        {
            if (!NextStepPopsOnly())
            {
                return false;
            }

            _budget = _quanta; // a slot run in place
        }

        _budget--;
        return true;
    }

    /// <summary>
    /// An await of <paramref name="child"/>, which has terminated, answered in place (see <see cref="TryAnswerPointInPlace"/>):
    /// its answer is one point, and resumes the task when the child is its own (rule 2; otherwise the slot answers it and
    /// reports the broken rule). Called by the await awaiters' <c>IsCompleted</c>.
    /// </summary>
    internal static bool TryAwaitInPlace(Promise child) =>
        (child.IsTerminated && t_current is { Running: { } task } domain && ReferenceEquals(child.Parent, task)
            && domain.TryAnswerPointInPlace(task))
        || TryAwaitStepsInPlace(child);

    /// <summary>
    /// A task is running other tasks' steps inside one of its operations (<see cref="RunOperationInPlace"/>): one level
    /// only, since the task's own frame is on the stack and only it may resume it.
    /// </summary>
    private bool _inPlaceSteps;

    /// <summary>
    /// Set when <see cref="RunOperationInPlace"/> gave up: the task is queued with its operation registered, and the steps
    /// after its slot, that slot's step included, ran in place. The slot (<see cref="RunSlot"/>) and the step
    /// (<see cref="Step"/>) that ran the task return at once; the step clears it.
    /// </summary>
    private bool _stepsRanInPlace;

    /// <summary>
    /// The running task's operation of <paramref name="points"/> scheduling points that only count (a spawn's), answered
    /// without suspending the task: what its slot and the steps after it would do runs here, in the task's awaiter, the
    /// same steps in the same order (spec §8: hooks, inbox, cancellations, one slot), until a step pops the task again
    /// and its slot answers the last point, and then the task goes on at once, its frame never unwound and rebuilt.
    /// Called by <see cref="SpawnAwaitable.IsCompleted"/>. On dom0 only (its tasks are never cancelled through the inbox:
    /// their ancestors all run on dom0), one level deep (the other tasks run their slots as usual), and not while the
    /// task is cancelled or has an exception to take. When a step would cancel something (the task could be among what
    /// it cancels), or the run stops, it gives up at that step's start: the task's operation is left registered with the
    /// points still due and the task queued, as a suspension would have left it, the awaiter answers false, the
    /// builder's registration finds it done (<see cref="TakeRegisteredInPlace"/>), and the step loop goes on from there.
    /// </summary>
    internal static bool TryPointsInPlace(int points) =>
        t_current is { Running: { } task, Uid: 0, _inPlaceSteps: false } domain && task.Op == OpKind.None && !task.CancelRequested
        && domain.ResumeException is null && domain.RunOperationInPlace(task, null, points);

    /// <summary>
    /// An await of <paramref name="child"/> answered as <see cref="TryPointsInPlace"/> answers a spawn's points, its slot's
    /// answers those of <see cref="AnswerOther"/> (the child terminated: resume; else a second point, then park until the
    /// child's end wakes the task). Only for the task's own child (rule 2's report stays the slot's).
    /// </summary>
    private static bool TryAwaitStepsInPlace(Promise child) =>
        t_current is { Running: { } task, Uid: 0, _inPlaceSteps: false } domain && ReferenceEquals(child.Parent, task)
        && task.Op == OpKind.None && !task.CancelRequested && domain.ResumeException is null
        && domain.RunOperationInPlace(task, child, 0);

    /// <summary>
    /// Runs the slot of the running <paramref name="task"/>, suspended on a spawn's points (<paramref name="child"/> null,
    /// <paramref name="phase"/> the points due) or on an await of <paramref name="child"/> (<paramref name="phase"/> 0), and
    /// the steps after it, in the task's awaiter (see <see cref="TryPointsInPlace"/>).
    /// </summary>
    private bool RunOperationInPlace(Promise task, Promise? child, int phase)
    {
        // From here on, as RunSlot once the task's code returns suspended: its budget, nothing dequeued.
        var budget = _budget;
        var dequeued = false;
        while (true)
        {
            AfterSlot after;
            if (!dequeued && budget == 0)
            {
                if (NextStepPopsOnly())
                {
                    budget = _quanta; // the next slot, run in place (RunSlot)
                    dequeued = true;
                    continue;
                }

                after = NextTwoSteps();
                if (after == AfterSlot.TaskFirst)
                {
                    budget = _quanta; // the policy pops the task before the other: its next slot, run in place
                    dequeued = true;
                    continue;
                }

                // The slot ends: queued as RunSlot queues it (by the steps below), its operation registered as a suspension
                // registers it.
                Register(task, child, phase);
            }
            else
            {
                dequeued = false;
                budget--;
                var answer = AnswerInPlace(task, child, ref phase);
                if (answer == Answered.Again)
                {
                    continue;
                }

                if (answer == Answered.Resume)
                {
                    // What Resume does, and the task goes on with what is left of the slot's budget.
                    task.Op = OpKind.None;
                    task.OpTarget = null;
                    task.OpPhase = 0;
                    Running = task;
                    _budget = budget;
                    return true;
                }

                Register(task, child, phase); // parked, as AnswerOther parks it
                Park(task);
                after = AfterSlot.Parked;
            }

            Running = null; // the slot's end (RunSlot's)
            // Other tasks' slots run in the steps: their operations are answered as usual, not in place (one level only).
            // StepsUntilPopped throws nothing (a fatal error is caught there): no protected region needed to clear the flag.
            _inPlaceSteps = true;
            var popped = StepsUntilPopped(task, after);
            _inPlaceSteps = false;
            if (!popped)
            {
                Running = task; // its builder registers the suspension next
                _registeredInPlace = true;
                _stepsRanInPlace = true;
                return false;
            }

            // Popped: its next slot (RunSlot), here.
            task.ExecState = Promise.Exec.Running;
            budget = _quanta;
            dequeued = true;
        }
    }

    /// <summary>The operation as its awaiter's registration leaves it (Suspension.Register).</summary>
    private static void Register(Promise task, Promise? child, int phase)
    {
        task.Op = child is null ? OpKind.Points : OpKind.Await;
        if (child is not null)
        {
            task.OpTarget = child;
        }

        task.OpPhase = (byte)phase;
    }

    /// <summary>One point of the operation, answered as <see cref="Answer"/> answers it (the task is not cancelled).</summary>
    private Answered AnswerInPlace(Promise task, Promise? child, ref int phase)
    {
        if (child is null)
        {
            return --phase > 0 ? Answered.Again : Answered.Resume;
        }

        if (child.IsTerminated)
        {
            return Answered.Resume;
        }

        if (phase == 0)
        {
            phase = 1; // the who-am-I point passed: the child is the task's own
            return Answered.Again;
        }

        // The slot's answer (AnswerOther) has the task current here: a trace consumer sees the same in both paths. Only
        // on the way to parking, so a spawn's or a finished child's in-place answer stores nothing.
        Running = task;
        Trace(TraceKind.Await, task, child.Id);
        return Answered.Park;
    }

    /// <summary>
    /// The steps after the slot of <paramref name="task"/>, as <see cref="Step"/> and <see cref="RunUntilQuiescent"/> run
    /// them, until one pops the task (true): the task parked, or, its slot ended, queued at the tail first (see
    /// <see cref="AfterSlot"/>). False, at a step's start, when the loop would stop or the step would process a
    /// cancellation; a fatal error stops the run (<see cref="OnFatal"/>) and answers false too.
    /// </summary>
    private bool StepsUntilPopped(Promise task, AfterSlot after)
    {
        try
        {
            switch (after)
            {
                case AfterSlot.OtherThenTask:
                    return OtherSlotThenSteps(task);
                case AfterSlot.Queued:
                    Enqueue(task);
                    break;
            }

            return StepsUntilPoppedCore(task);
        }
        catch (Exception e)
        {
            OnFatal(e);
            return false;
        }
    }

    /// <summary>
    /// <see cref="StepsUntilPopped"/> but its handler: a loop outside any protected region keeps its locals in registers
    /// (in one, the JIT stored them to the frame at every assignment).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private bool StepsUntilPoppedCore(Promise task)
    {
        var idled = false;
        while (true)
        {
            if (!idled)
            {
                EndStep(); // the end of the step that ran the previous slot (an idle step has none)
            }

            idled = false;

            // RunUntilQuiescent's condition, but LiveTasks > 0 always holds here: the task run in place has not ended.
            System.Diagnostics.Debug.Assert(Run.LiveTasks > 0, "the task run in place is live");
            if (Run.Fatal is not null || (_attention != 0 && _cancels.Count != 0))
            {
                return false;
            }

            BeginStep();
            if (_attention != 0 && _cancels.Count != 0)
            {
                // dom0's tasks are cancelled only by dom0's tasks (a Call never runs on dom0), never through the inbox.
                throw new InvalidOperationException("Miou internal error: a cancellation reached dom0 through its inbox.");
            }

            if (_runnable.TryPop(_policyRandom) is not { } next)
            {
                Idle(); // the task is parked, as every other one
                idled = true;
                continue;
            }

            if (next.HasStaleEntry)
            {
                next.HasStaleEntry = false;
            }
            else if (ReferenceEquals(next, task))
            {
                return true;
            }
            else
            {
                RunSlot(next);
            }
        }
    }

    /// <summary>What the steps after a slot run in place begin with.</summary>
    private enum AfterSlot : byte
    {
        /// <summary>The task parked: the steps run until a wake-up queues it and a step pops it.</summary>
        Parked,

        /// <summary>The slot ended: the task is queued at the tail, and the steps run until one pops it.</summary>
        Queued,

        /// <summary>The slot ended, and the next step pops the one other task queued (<see cref="NextTwoSteps"/>).</summary>
        OtherThenTask,

        /// <summary>The slot ended, and the next step pops the task again (<see cref="NextTwoSteps"/>).</summary>
        TaskFirst,
    }

    /// <summary>
    /// At the end of the running task's slot, which queues it at the tail: when the queue holds one other task and nothing
    /// else is due between the steps (no hook, cancellation, post, poll or fatal error), the next step pops one of the two
    /// (the random policy draws now, as TryPop would then) and nothing else; otherwise the steps are not known in advance.
    /// A spawn answered in place ends its slot this way, the child just queued, once per child. When the task pops first,
    /// its next slot runs at once, and the queue stays as TryPop would leave it; when the other does, see
    /// <see cref="OtherSlotThenSteps"/>.
    /// </summary>
    private AfterSlot NextTwoSteps()
    {
        if (_runnable.Count != 1 || _attention != 0 || _inboxPending || Run.Fatal is not null || _runnable.Head.HasStaleEntry)
        {
            return AfterSlot.Queued;
        }

        return _policyRandom is not null && _policyRandom.Next(2) == 1 ? AfterSlot.TaskFirst : AfterSlot.OtherThenTask;
    }

    /// <summary>
    /// The steps after a slot whose next step pops the one other task queued (<see cref="NextTwoSteps"/>): that task's slot,
    /// then, when it queued nothing and left nothing due, the step that pops the task, without the general steps' checks;
    /// otherwise the general steps from the end of the other task's step. The task is queued behind the other before that
    /// one's slot runs, as the general steps leave it: what that slot asks of the queue (whether the next step pops only
    /// its own task) and queues sees the task there.
    /// </summary>
    private bool OtherSlotThenSteps(Promise task)
    {
        var other = _runnable.TryPop(null)!; // the head
        Enqueue(task);
        RunSlot(other);
        if (!NextStepPopsOnly(queued: 1))
        {
            return StepsUntilPoppedCore(task);
        }

        _runnable.TryPop(null); // the task, the only one queued: the next step pops it (no draw for one entry)
        return true;
    }

    /// <summary>The running task's operation was left registered by <see cref="RunOperationInPlace"/>, which gave up.</summary>
    private bool _registeredInPlace;

    /// <summary>
    /// Called by a registration that finds the task's operation already pending: true, and the registration is done, when
    /// <see cref="RunOperationInPlace"/> left it so for <paramref name="op"/>.
    /// </summary>
    internal bool TakeRegisteredInPlace(Promise task, PendingOp op)
    {
        if (!_registeredInPlace || !ReferenceEquals(Running, task) || op.Op != task.Op || !ReferenceEquals(op.Target, task.OpTarget))
        {
            return false;
        }

        _registeredInPlace = false;
        return true;
    }

    /// <summary>
    /// Whether the task whose slot ends now, queued at the tail, would be the next thing this domain does, with nothing done
    /// before it: no other runnable task or cancellation, nothing posted, no hook to run, no event source to poll after
    /// this step (a poll may wake a task), and the loop goes on. Then re-queueing it and popping it again (the random
    /// policy draws no number for a queue of one) is the same as running its next slot at once, without the round trip.
    /// </summary>
    /// <param name="queued">The queue's length that means "nothing else": 0, or 1 when the task is queued already (its only entry).</param>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool NextStepPopsOnly(int queued = 0) =>
        _runnable.Count == queued && _attention == 0 && !_inboxPending && Run.Fatal is null && !Run.Stopping;
}
