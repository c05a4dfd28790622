using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Miou.Analyzers;

internal sealed partial class ObligationFlow
{
    /// <summary>
    /// The sources and holders a flow can meet, numbered once when its events are compiled: a state is then a few bits,
    /// copied, joined and intersected word by word instead of through tables of sets.
    /// </summary>
    internal sealed class Layout
    {
        public Layout(IOperation[] sources, object[] holders)
        {
            Sources = sources;
            Holders = holders;
            Words = Math.Max(1, (holders.Length + 63) / 64);
        }

        /// <summary>The calls where an obligation starts, by number.</summary>
        public IOperation[] Sources { get; }

        /// <summary>The variables and flow captures that may hold an obligation, by number.</summary>
        public object[] Holders { get; }

        /// <summary>The words of one source's holder bits.</summary>
        public int Words { get; }
    }

    /// <summary>
    /// Pending obligations, each with the variables and captures that may refer to it: one row of holder bits per source,
    /// a source pending while its row has a bit set (every change that empties a row ends the obligation).
    /// </summary>
    internal sealed class State
    {
        private readonly Layout _layout;
        private readonly ulong[] _rows;

        public State(Layout layout)
            : this(layout, new ulong[layout.Sources.Length * layout.Words])
        {
        }

        private State(Layout layout, ulong[] rows)
        {
            _layout = layout;
            _rows = rows;
        }

        /// <summary>Nothing is pending.</summary>
        public bool IsEmpty
        {
            get
            {
                foreach (var word in _rows)
                {
                    if (word != 0)
                    {
                        return false;
                    }
                }

                return true;
            }
        }

        /// <summary>The number of sources (pending or not): <see cref="IsPending"/> tells which are.</summary>
        public int SourceCount => _layout.Sources.Length;

        /// <summary>The source numbered <paramref name="source"/>.</summary>
        public IOperation Source(int source) => _layout.Sources[source];

        /// <summary>Whether the obligation numbered <paramref name="source"/> is pending.</summary>
        public bool IsPending(int source)
        {
            var words = _layout.Words;
            for (int i = source * words, end = i + words; i < end; i++)
            {
                if (_rows[i] != 0)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The variables and captures that may refer to a pending obligation.</summary>
        public IReadOnlyCollection<object> HoldersOf(IOperation source)
        {
            var index = Array.IndexOf(_layout.Sources, source);
            var holders = new List<object>();
            var words = _layout.Words;
            for (var w = 0; w < words; w++)
            {
                var word = _rows[(index * words) + w];
                for (var bit = 0; word != 0; bit++, word >>= 1)
                {
                    if ((word & 1) != 0)
                    {
                        holders.Add(_layout.Holders[(w * 64) + bit]);
                    }
                }
            }

            return holders;
        }

        /// <summary>A copy.</summary>
        public State Clone() => new(_layout, (ulong[])_rows.Clone());

        public void Start(int source, int holder)
        {
            Drop(source);
            Set(source, holder);
        }

        /// <summary>Another variable refers to a pending obligation.</summary>
        public void AddHolder(int source, int holder)
        {
            if (IsPending(source))
            {
                Set(source, holder);
            }
        }

        public void Drop(int source) => Array.Clear(_rows, source * _layout.Words, _layout.Words);

        /// <summary>Adds the obligations <paramref name="holder"/> may refer to to <paramref name="held"/>.</summary>
        public void HeldBy(int holder, List<int> held)
        {
            for (var source = 0; source < _layout.Sources.Length; source++)
            {
                if (Holds(source, holder))
                {
                    held.Add(source);
                }
            }
        }

        /// <summary>Ends every obligation <paramref name="holder"/> may refer to.</summary>
        public void DropHeldBy(int holder)
        {
            for (var source = 0; source < _layout.Sources.Length; source++)
            {
                if (Holds(source, holder))
                {
                    Drop(source);
                }
            }
        }

        /// <summary>On the path where <paramref name="holder"/> is null it refers to nothing (an obligation only it held was not started on this path).</summary>
        public void Forget(int holder)
        {
            for (var source = 0; source < _layout.Sources.Length; source++)
            {
                Clear(source, holder);
            }
        }

        /// <summary>
        /// <paramref name="holder"/> is overwritten: adds to <paramref name="lost"/> the obligations nothing refers to any
        /// more, which end; those in <paramref name="keep"/> keep it.
        /// </summary>
        public void Release(int holder, List<int>? keep, List<int> lost)
        {
            for (var source = 0; source < _layout.Sources.Length; source++)
            {
                if (Holds(source, holder) && (keep is null || !keep.Contains(source)))
                {
                    Clear(source, holder);
                    if (!IsPending(source))
                    {
                        lost.Add(source);
                    }
                }
            }
        }

        /// <summary>Joins another path's state; returns whether this state grew.</summary>
        public bool UnionWith(State other)
        {
            var changed = false;
            for (var i = 0; i < _rows.Length; i++)
            {
                var joined = _rows[i] | other._rows[i];
                if (joined != _rows[i])
                {
                    _rows[i] = joined;
                    changed = true;
                }
            }

            return changed;
        }

        /// <summary>Keeps only what is pending in both (holders joined).</summary>
        public void IntersectWith(State other)
        {
            var words = _layout.Words;
            for (var source = 0; source < _layout.Sources.Length; source++)
            {
                if (!other.IsPending(source))
                {
                    Drop(source);
                }
                else if (IsPending(source))
                {
                    for (int i = source * words, end = i + words; i < end; i++)
                    {
                        _rows[i] |= other._rows[i];
                    }
                }
            }
        }

        private bool Holds(int source, int holder) => (_rows[(source * _layout.Words) + (holder >> 6)] & (1UL << (holder & 63))) != 0;

        private void Set(int source, int holder) => _rows[(source * _layout.Words) + (holder >> 6)] |= 1UL << (holder & 63);

        private void Clear(int source, int holder) => _rows[(source * _layout.Words) + (holder >> 6)] &= ~(1UL << (holder & 63));
    }

    private sealed class HolderComparer : IEqualityComparer<object>
    {
        public new bool Equals(object? x, object? y) =>
            x is ISymbol a && y is ISymbol b ? SymbolEqualityComparer.Default.Equals(a, b) : object.Equals(x, y);

        public int GetHashCode(object obj) => obj is ISymbol symbol ? SymbolEqualityComparer.Default.GetHashCode(symbol) : obj.GetHashCode();
    }
}
