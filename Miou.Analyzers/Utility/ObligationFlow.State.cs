using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Miou.Analyzers;

internal sealed partial class ObligationFlow
{
    /// <summary>
    /// Pending obligations, each with the variables and captures that may refer to it. Copied on write: the analysis
    /// copies a state at every block and branch, and most blocks change nothing, so a copy shares its original's tables
    /// until one of the two changes (each then takes its own first).
    /// </summary>
    internal sealed class State
    {
        private static readonly HolderComparer Holders = new();
        private static readonly List<IOperation> NoneHeld = new();
        private Dictionary<IOperation, HashSet<object>> _pending;
        private bool _shared;

        public State()
            : this(new Dictionary<IOperation, HashSet<object>>(), shared: false)
        {
        }

        private State(Dictionary<IOperation, HashSet<object>> pending, bool shared)
        {
            _pending = pending;
            _shared = shared;
        }

        /// <summary>The pending obligations (a live view: not to be read while the state changes).</summary>
        public Dictionary<IOperation, HashSet<object>>.KeyCollection PendingSources => _pending.Keys;

        /// <summary>Nothing is pending.</summary>
        public bool IsEmpty => _pending.Count == 0;

        public IReadOnlyCollection<object> HoldersOf(IOperation source) => _pending[source];

        /// <summary>A copy, sharing this state's tables until either changes.</summary>
        public State Clone()
        {
            _shared = true;
            return new State(_pending, shared: true);
        }

        public void Start(IOperation source, object holder)
        {
            Own();
            _pending[source] = new HashSet<object>(Holders) { holder };
        }

        public void AddHolder(IOperation source, object holder)
        {
            if (_pending.TryGetValue(source, out var holders) && !holders.Contains(holder))
            {
                Own();
                _pending[source].Add(holder);
            }
        }

        public void Drop(IOperation source)
        {
            if (_pending.ContainsKey(source))
            {
                Own();
                _pending.Remove(source);
            }
        }

        /// <summary>The obligations <paramref name="holder"/> may refer to (a shared empty list when none: it is read only).</summary>
        public List<IOperation> HeldBy(object holder)
        {
            List<IOperation>? held = null;
            foreach (var pair in _pending)
            {
                if (pair.Value.Contains(holder))
                {
                    (held ??= new List<IOperation>()).Add(pair.Key);
                }
            }

            return held ?? NoneHeld;
        }

        public void DropHeldBy(object holder)
        {
            foreach (var source in HeldForChange(holder))
            {
                _pending.Remove(source);
            }
        }

        /// <summary>On the path where <paramref name="holder"/> is null it refers to nothing.</summary>
        public void Forget(object holder)
        {
            foreach (var source in HeldForChange(holder))
            {
                var holders = _pending[source];
                holders.Remove(holder);
                if (holders.Count == 0)
                {
                    _pending.Remove(source); // it only ever lived in that variable, which is null here: not spawned on this path
                }
            }
        }

        /// <summary><paramref name="holder"/> is overwritten: returns the obligations nothing refers to any more (null: none).</summary>
        public List<IOperation>? Release(object holder, List<IOperation>? keep)
        {
            List<IOperation>? lost = null;
            foreach (var source in HeldForChange(holder))
            {
                if (keep is not null && keep.Contains(source))
                {
                    continue;
                }

                var holders = _pending[source];
                holders.Remove(holder);
                if (holders.Count == 0)
                {
                    (lost ??= new List<IOperation>()).Add(source);
                    _pending.Remove(source);
                }
            }

            return lost;
        }

        /// <summary>Joins another path's state; returns whether this state grew.</summary>
        public bool UnionWith(State other)
        {
            if (ReferenceEquals(_pending, other._pending))
            {
                return false; // a copy of this very state: nothing to add
            }

            var changed = false;
            foreach (var pair in other._pending)
            {
                if (!_pending.TryGetValue(pair.Key, out var holders))
                {
                    Own();
                    _pending[pair.Key] = new HashSet<object>(pair.Value, Holders);
                    changed = true;
                }
                else if (!holders.IsSupersetOf(pair.Value))
                {
                    Own();
                    _pending[pair.Key].UnionWith(pair.Value);
                    changed = true;
                }
            }

            return changed;
        }

        /// <summary>Keeps only what is pending in both (holders joined).</summary>
        public void IntersectWith(State other)
        {
            if (ReferenceEquals(_pending, other._pending))
            {
                return; // a copy of this very state: the same
            }

            List<IOperation>? gone = null;
            List<IOperation>? joined = null;
            foreach (var pair in _pending)
            {
                if (!other._pending.TryGetValue(pair.Key, out var holders))
                {
                    (gone ??= new List<IOperation>()).Add(pair.Key);
                }
                else if (!pair.Value.IsSupersetOf(holders))
                {
                    (joined ??= new List<IOperation>()).Add(pair.Key);
                }
            }

            if (gone is null && joined is null)
            {
                return;
            }

            Own();
            if (joined is not null)
            {
                foreach (var source in joined)
                {
                    _pending[source].UnionWith(other._pending[source]);
                }
            }

            if (gone is not null)
            {
                foreach (var source in gone)
                {
                    _pending.Remove(source);
                }
            }
        }

        /// <summary>The obligations <paramref name="holder"/> may refer to, about to change: when there are any, the tables are made this state's own.</summary>
        private List<IOperation> HeldForChange(object holder)
        {
            var held = HeldBy(holder);
            if (held.Count > 0)
            {
                Own();
            }

            return held;
        }

        /// <summary>Before a change: takes a table of its own if it shares one with a copy.</summary>
        private void Own()
        {
            if (!_shared)
            {
                return;
            }

            var own = new Dictionary<IOperation, HashSet<object>>(_pending.Count);
            foreach (var pair in _pending)
            {
                own[pair.Key] = new HashSet<object>(pair.Value, Holders);
            }

            _pending = own;
            _shared = false;
        }
    }

    private sealed class HolderComparer : IEqualityComparer<object>
    {
        public new bool Equals(object? x, object? y) =>
            x is ISymbol a && y is ISymbol b ? SymbolEqualityComparer.Default.Equals(a, b) : object.Equals(x, y);

        public int GetHashCode(object obj) => obj is ISymbol symbol ? SymbolEqualityComparer.Default.GetHashCode(symbol) : obj.GetHashCode();
    }
}
