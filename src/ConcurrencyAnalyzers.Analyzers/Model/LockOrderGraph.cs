using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>
    /// "<see cref="To"/> is taken while <see cref="From"/> is held", at one place of the code: a nested
    /// acquisition, or a call made under <see cref="From"/> into methods that take <see cref="To"/>.
    /// </summary>
    internal sealed class LockOrderEdge
    {
        public LockOrderEdge(LockNode from, LockNode to, Location site, IMethodSymbol method, ImmutableArray<IMethodSymbol> via, bool swappable, string? outerText = null)
        {
            OuterText = outerText;
            From = from;
            To = to;
            Site = site;
            Method = method;
            Via = via;
            Swappable = swappable;
        }

        public LockNode From { get; }

        public LockNode To { get; }

        /// <summary>The inner acquisition, or the call that leads to it.</summary>
        public Location Site { get; }

        /// <summary>The method (or the method around the lambda) that holds <see cref="From"/>.</summary>
        public IMethodSymbol Method { get; }

        /// <summary>The methods from the callee to the one that takes <see cref="To"/>; empty for a nested acquisition.</summary>
        public ImmutableArray<IMethodSymbol> Via { get; }

        /// <summary>`lock (from) { lock (to) { … } }` with nothing between the two: the order can be swapped by a fix.</summary>
        public bool Swappable { get; }

        /// <summary>The outer lock's expression as written, for a fix that must find that lock again.</summary>
        public string? OuterText { get; }

        /// <summary>"in 'AuditLog.Flush' (AuditLog.cs:42)", where this edge's order is taken.</summary>
        public string Where()
        {
            var span = Site.GetLineSpan();
            var file = System.IO.Path.GetFileName(span.Path);
            var where = "in '" + Method.ContainingType.Name + "." + Method.Name + "' (" + file + ":" + (span.StartLinePosition.Line + 1) + ")";
            return Via.IsEmpty ? where : where + " through '" + string.Join("' -> '", Via.Select(m => m.Name)) + "'";
        }
    }

    /// <summary>
    /// The lock-order graph of a compilation: nodes are locks, an edge A -> B says some code takes B while
    /// holding A. Two threads that follow the edges of a cycle at the same time can each hold the lock the
    /// other waits for; every edge that lies on a cycle is a possible deadlock.
    /// </summary>
    internal sealed class LockOrderGraph
    {
        private readonly Dictionary<LockNode, List<LockOrderEdge>> _outgoing = new Dictionary<LockNode, List<LockOrderEdge>>();
        private readonly Dictionary<LockNode, int> _component = new Dictionary<LockNode, int>();

        public LockOrderGraph(IEnumerable<LockOrderEdge> edges)
        {
            // Sorted, so that components, paths and messages come out the same on every run.
            Edges = edges.Where(e => !e.From.Equals(e.To)).OrderBy(e => e.Site.SourceTree?.FilePath, System.StringComparer.Ordinal).ThenBy(e => e.Site.SourceSpan.Start)
                .ThenBy(e => e.From.Key, System.StringComparer.Ordinal).ThenBy(e => e.To.Key, System.StringComparer.Ordinal).ToImmutableArray();
            foreach (var edge in Edges)
            {
                if (!_outgoing.TryGetValue(edge.From, out var list))
                {
                    _outgoing[edge.From] = list = new List<LockOrderEdge>();
                }

                list.Add(edge);
                if (!_outgoing.ContainsKey(edge.To))
                {
                    _outgoing[edge.To] = new List<LockOrderEdge>();
                }
            }

            FindComponents();
        }

        public ImmutableArray<LockOrderEdge> Edges { get; }

        public IEnumerable<LockNode> Nodes => _outgoing.Keys.OrderBy(n => n.Display, System.StringComparer.Ordinal);

        /// <summary>Both ends in one strongly connected component: the edge closes a cycle.</summary>
        public bool IsOnCycle(LockOrderEdge edge) => _component[edge.From] == _component[edge.To];

        /// <summary>
        /// The shortest way back from <paramref name="edge"/>'s inner lock to its outer one, one edge (the first
        /// place in source) per step: the rest of the cycle the edge closes.
        /// </summary>
        public ImmutableArray<LockOrderEdge> PathBack(LockOrderEdge edge)
        {
            var previous = new Dictionary<LockNode, LockOrderEdge>();
            var queue = new Queue<LockNode>();
            queue.Enqueue(edge.To);
            var seen = new HashSet<LockNode> { edge.To };
            while (queue.Count > 0)
            {
                var node = queue.Dequeue();
                if (node.Equals(edge.From))
                {
                    break;
                }

                foreach (var next in _outgoing[node])
                {
                    if (_component[next.To] == _component[edge.From] && seen.Add(next.To))
                    {
                        previous[next.To] = next;
                        queue.Enqueue(next.To);
                    }
                }
            }

            var path = new List<LockOrderEdge>();
            for (var node = edge.From; previous.TryGetValue(node, out var step); node = step.From)
            {
                path.Insert(0, step);
                if (step.From.Equals(edge.To))
                {
                    break;
                }
            }

            return path.ToImmutableArray();
        }

        /// <summary>
        /// The order most of the code uses between two locks that are taken both ways: the direction with more
        /// places, and on a tie the lock declared first comes first.
        /// </summary>
        public bool IsDominant(LockOrderEdge edge)
        {
            var forward = Edges.Count(e => e.From.Equals(edge.From) && e.To.Equals(edge.To));
            var backward = Edges.Count(e => e.From.Equals(edge.To) && e.To.Equals(edge.From));
            if (forward != backward)
            {
                return forward > backward;
            }

            return Compare(edge.From.Declaration, edge.To.Declaration) <= 0;
        }

        private static int Compare(Location? a, Location? b)
        {
            if (a is null || b is null)
            {
                return a is null ? (b is null ? 0 : 1) : -1;
            }

            var byFile = string.CompareOrdinal(a.SourceTree?.FilePath, b.SourceTree?.FilePath);
            return byFile != 0 ? byFile : a.SourceSpan.Start.CompareTo(b.SourceSpan.Start);
        }

        /// <summary>
        /// The graph as Mermaid flowchart text (one line per statement, pasteable into a Markdown ```mermaid
        /// block): each edge labelled with the method that takes that order, the edges on a cycle drawn red.
        /// </summary>
        public string ToMermaid()
        {
            var ids = new Dictionary<LockNode, string>();
            foreach (var node in Nodes)
            {
                ids[node] = "L" + ids.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            var text = new StringBuilder("flowchart LR\n");
            foreach (var node in Nodes)
            {
                text.Append("    ").Append(ids[node]).Append("[\"").Append(Escape(node.Display)).Append("\"]\n");
            }

            var red = new List<int>();
            var index = 0;
            foreach (var group in Edges.GroupBy(e => (e.From, e.To)))
            {
                var first = group.First();
                var label = Label(group);
                text.Append("    ").Append(ids[first.From]).Append(" -->|").Append(Escape(label)).Append("| ").Append(ids[first.To]).Append('\n');
                if (IsOnCycle(first))
                {
                    red.Add(index);
                }

                index++;
            }

            if (red.Count > 0)
            {
                text.Append("    linkStyle ").Append(string.Join(",", red)).Append(" stroke:#d00,stroke-width:3px\n");
            }

            return text.ToString();
        }

        /// <summary>The graph as Graphviz DOT text, the edges on a cycle drawn red.</summary>
        public string ToGraphviz()
        {
            var text = new StringBuilder("digraph LockOrder {\n    rankdir=LR;\n    node [shape=box];\n");
            foreach (var group in Edges.GroupBy(e => (e.From, e.To)))
            {
                var first = group.First();
                var label = Label(group);
                text.Append("    \"").Append(first.From.Display.Replace("\"", "\\\"")).Append("\" -> \"").Append(first.To.Display.Replace("\"", "\\\""))
                    .Append("\" [label=\"").Append(label.Replace("\"", "\\\"")).Append('"')
                    .Append(IsOnCycle(first) ? ", color=red, penwidth=2" : string.Empty).Append("];\n");
            }

            return text.Append("}\n").ToString();
        }

        /// <summary>The method that takes an order, and how many other places take it too.</summary>
        private static string Label(IGrouping<(LockNode, LockNode), LockOrderEdge> places)
        {
            var first = places.First();
            var count = places.Count();
            return first.Method.ContainingType.Name + "." + first.Method.Name + (count > 1 ? " +" + (count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty);
        }

        private static string Escape(string text) => text.Replace("\"", "#quot;").Replace("|", "#124;");

        /// <summary>Tarjan's strongly connected components, iteratively so that a long chain of locks cannot overflow the stack.</summary>
        private void FindComponents()
        {
            var index = new Dictionary<LockNode, int>();
            var low = new Dictionary<LockNode, int>();
            var onStack = new HashSet<LockNode>();
            var stack = new Stack<LockNode>();
            var counter = 0;
            var components = 0;
            foreach (var root in _outgoing.Keys.OrderBy(n => n.Key, System.StringComparer.Ordinal))
            {
                if (index.ContainsKey(root))
                {
                    continue;
                }

                var work = new Stack<(LockNode Node, int Next)>();
                work.Push((root, 0));
                index[root] = low[root] = counter++;
                stack.Push(root);
                onStack.Add(root);
                while (work.Count > 0)
                {
                    var (node, next) = work.Pop();
                    var edges = _outgoing[node];
                    if (next < edges.Count)
                    {
                        work.Push((node, next + 1));
                        var target = edges[next].To;
                        if (!index.ContainsKey(target))
                        {
                            index[target] = low[target] = counter++;
                            stack.Push(target);
                            onStack.Add(target);
                            work.Push((target, 0));
                        }
                        else if (onStack.Contains(target))
                        {
                            low[node] = System.Math.Min(low[node], index[target]);
                        }

                        continue;
                    }

                    if (work.Count > 0)
                    {
                        var parent = work.Peek().Node;
                        low[parent] = System.Math.Min(low[parent], low[node]);
                    }

                    if (low[node] == index[node])
                    {
                        LockNode member;
                        do
                        {
                            member = stack.Pop();
                            onStack.Remove(member);
                            _component[member] = components;
                        }
                        while (!member.Equals(node));
                        components++;
                    }
                }
            }
        }
    }
}
