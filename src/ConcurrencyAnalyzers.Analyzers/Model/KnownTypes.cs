using System.Linq;
using Microsoft.CodeAnalysis;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>
    /// The threading types the rules look for, resolved once per compilation. A type the compilation
    /// does not have stays null; rules check what they need and register nothing without it.
    /// </summary>
    internal sealed class KnownTypes
    {
        private KnownTypes(Compilation compilation)
        {
            Compilation = compilation;
            Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
            TaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
            ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
            ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
            TaskFactory = compilation.GetTypeByMetadataName("System.Threading.Tasks.TaskFactory");
            TaskFactoryOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.TaskFactory`1");
            TaskCompletionSource = compilation.GetTypeByMetadataName("System.Threading.Tasks.TaskCompletionSource");
            TaskCompletionSourceOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.TaskCompletionSource`1");
            TaskCreationOptions = compilation.GetTypeByMetadataName("System.Threading.Tasks.TaskCreationOptions");
            Parallel = compilation.GetTypeByMetadataName("System.Threading.Tasks.Parallel");
            ParallelEnumerable = compilation.GetTypeByMetadataName("System.Linq.ParallelEnumerable");
            Thread = compilation.GetTypeByMetadataName("System.Threading.Thread");
            ThreadPool = compilation.GetTypeByMetadataName("System.Threading.ThreadPool");
            ThreadingTimer = compilation.GetTypeByMetadataName("System.Threading.Timer");
            TimersTimer = compilation.GetTypeByMetadataName("System.Timers.Timer");
            CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
            CancellationTokenSource = compilation.GetTypeByMetadataName("System.Threading.CancellationTokenSource");
            SpinWait = compilation.GetTypeByMetadataName("System.Threading.SpinWait");
            Volatile = compilation.GetTypeByMetadataName("System.Threading.Volatile");
            Interlocked = compilation.GetTypeByMetadataName("System.Threading.Interlocked");
            ManualResetEventSlim = compilation.GetTypeByMetadataName("System.Threading.ManualResetEventSlim");
            Console = compilation.GetTypeByMetadataName("System.Console");
            Monitor = compilation.GetTypeByMetadataName("System.Threading.Monitor");
            Lock = compilation.GetTypeByMetadataName("System.Threading.Lock");
            SemaphoreSlim = compilation.GetTypeByMetadataName("System.Threading.SemaphoreSlim");
            ReaderWriterLockSlim = compilation.GetTypeByMetadataName("System.Threading.ReaderWriterLockSlim");
            Mutex = compilation.GetTypeByMetadataName("System.Threading.Mutex");
            SpinLock = compilation.GetTypeByMetadataName("System.Threading.SpinLock");
            ThreadLocalOfT = compilation.GetTypeByMetadataName("System.Threading.ThreadLocal`1");
            AsyncLocalOfT = compilation.GetTypeByMetadataName("System.Threading.AsyncLocal`1");
            ThreadStaticAttribute = compilation.GetTypeByMetadataName("System.ThreadStaticAttribute");
            IAsyncEnumerableOfT = compilation.GetTypeByMetadataName("System.Collections.Generic.IAsyncEnumerable`1");
            ICollection = compilation.GetTypeByMetadataName("System.Collections.ICollection");
            ICollectionOfT = compilation.GetTypeByMetadataName("System.Collections.Generic.ICollection`1");
            IProducerConsumerCollectionOfT = compilation.GetTypeByMetadataName("System.Collections.Concurrent.IProducerConsumerCollection`1");
            StringBuilder = compilation.GetTypeByMetadataName("System.Text.StringBuilder");
            ChannelOfT = compilation.GetTypeByMetadataName("System.Threading.Channels.Channel`1");
            ChannelOfTWriteTRead = compilation.GetTypeByMetadataName("System.Threading.Channels.Channel`2");
            ChannelWriterOfT = compilation.GetTypeByMetadataName("System.Threading.Channels.ChannelWriter`1");
            ChannelReaderOfT = compilation.GetTypeByMetadataName("System.Threading.Channels.ChannelReader`1");
            ChannelClosedException = compilation.GetTypeByMetadataName("System.Threading.Channels.ChannelClosedException");
            BlockingCollectionOfT = compilation.GetTypeByMetadataName("System.Collections.Concurrent.BlockingCollection`1");
            ConcurrentDictionaryOfT = compilation.GetTypeByMetadataName("System.Collections.Concurrent.ConcurrentDictionary`2");
            ConcurrentQueueOfT = compilation.GetTypeByMetadataName("System.Collections.Concurrent.ConcurrentQueue`1");
            ConcurrentStackOfT = compilation.GetTypeByMetadataName("System.Collections.Concurrent.ConcurrentStack`1");
            ConcurrentBagOfT = compilation.GetTypeByMetadataName("System.Collections.Concurrent.ConcurrentBag`1");
            LazyOfT = compilation.GetTypeByMetadataName("System.Lazy`1");
            LazyInitializer = compilation.GetTypeByMetadataName("System.Threading.LazyInitializer");
            LazyThreadSafetyMode = compilation.GetTypeByMetadataName("System.Threading.LazyThreadSafetyMode");
            IDisposable = compilation.GetTypeByMetadataName("System.IDisposable");
            IAsyncDisposable = compilation.GetTypeByMetadataName("System.IAsyncDisposable");
            MethodImplAttribute = compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.MethodImplAttribute");
        }

        public Compilation Compilation { get; }
        public INamedTypeSymbol? Task { get; }
        public INamedTypeSymbol? TaskOfT { get; }
        public INamedTypeSymbol? ValueTask { get; }
        public INamedTypeSymbol? ValueTaskOfT { get; }
        public INamedTypeSymbol? TaskFactory { get; }
        public INamedTypeSymbol? TaskFactoryOfT { get; }
        public INamedTypeSymbol? TaskCompletionSource { get; }
        public INamedTypeSymbol? TaskCompletionSourceOfT { get; }
        public INamedTypeSymbol? TaskCreationOptions { get; }
        public INamedTypeSymbol? Parallel { get; }
        public INamedTypeSymbol? ParallelEnumerable { get; }
        public INamedTypeSymbol? Thread { get; }
        public INamedTypeSymbol? ThreadPool { get; }
        public INamedTypeSymbol? ThreadingTimer { get; }
        public INamedTypeSymbol? TimersTimer { get; }
        public INamedTypeSymbol? CancellationToken { get; }
        public INamedTypeSymbol? CancellationTokenSource { get; }
        public INamedTypeSymbol? SpinWait { get; }
        public INamedTypeSymbol? Volatile { get; }
        public INamedTypeSymbol? Interlocked { get; }
        public INamedTypeSymbol? ManualResetEventSlim { get; }
        public INamedTypeSymbol? Console { get; }
        public INamedTypeSymbol? Monitor { get; }
        public INamedTypeSymbol? Lock { get; }
        public INamedTypeSymbol? SemaphoreSlim { get; }
        public INamedTypeSymbol? ReaderWriterLockSlim { get; }
        public INamedTypeSymbol? Mutex { get; }
        public INamedTypeSymbol? SpinLock { get; }
        public INamedTypeSymbol? ThreadLocalOfT { get; }
        public INamedTypeSymbol? AsyncLocalOfT { get; }
        public INamedTypeSymbol? ThreadStaticAttribute { get; }
        public INamedTypeSymbol? IAsyncEnumerableOfT { get; }
        public INamedTypeSymbol? ICollection { get; }
        public INamedTypeSymbol? ICollectionOfT { get; }
        public INamedTypeSymbol? IProducerConsumerCollectionOfT { get; }
        public INamedTypeSymbol? StringBuilder { get; }
        public INamedTypeSymbol? ChannelOfT { get; }
        public INamedTypeSymbol? ChannelOfTWriteTRead { get; }
        public INamedTypeSymbol? ChannelWriterOfT { get; }
        public INamedTypeSymbol? ChannelReaderOfT { get; }
        public INamedTypeSymbol? ChannelClosedException { get; }
        public INamedTypeSymbol? BlockingCollectionOfT { get; }
        public INamedTypeSymbol? ConcurrentDictionaryOfT { get; }
        public INamedTypeSymbol? ConcurrentQueueOfT { get; }
        public INamedTypeSymbol? ConcurrentStackOfT { get; }
        public INamedTypeSymbol? ConcurrentBagOfT { get; }
        public INamedTypeSymbol? LazyOfT { get; }
        public INamedTypeSymbol? LazyInitializer { get; }
        public INamedTypeSymbol? LazyThreadSafetyMode { get; }
        public INamedTypeSymbol? IDisposable { get; }
        public INamedTypeSymbol? IAsyncDisposable { get; }
        public INamedTypeSymbol? MethodImplAttribute { get; }

        /// <summary>ConcurrentDictionary&lt;TKey, TValue&gt; or a type derived from it.</summary>
        public bool IsConcurrentDictionary(ITypeSymbol? type) => IsOrDerivesFrom(type, ConcurrentDictionaryOfT);

        /// <summary>ConcurrentQueue, ConcurrentStack or ConcurrentBag: the collections whose Count races with Try* calls.</summary>
        public bool IsConcurrentProducerConsumer(ITypeSymbol? type) =>
            IsOrDerivesFrom(type, ConcurrentQueueOfT) || IsOrDerivesFrom(type, ConcurrentStackOfT) || IsOrDerivesFrom(type, ConcurrentBagOfT) || IsBlockingCollection(type);

        public bool IsLazy(ITypeSymbol? type) => IsOrDerivesFrom(type, LazyOfT);

        public bool IsDisposable(ITypeSymbol? type) =>
            type is not null && (type.AllInterfaces.Any(i => Is(i, IDisposable) || Is(i, IAsyncDisposable)) || Is(type, IDisposable) || Is(type, IAsyncDisposable));

        /// <summary>Whether the compilation can use System.Threading.Channels or BlockingCollection at all.</summary>
        public bool HasProducerConsumerTypes => ChannelWriterOfT is not null || BlockingCollectionOfT is not null;

        /// <summary>Channel&lt;T&gt; or Channel&lt;TWrite, TRead&gt;, or a type derived from one.</summary>
        public bool IsChannel(ITypeSymbol? type) => IsOrDerivesFrom(type, ChannelOfT) || IsOrDerivesFrom(type, ChannelOfTWriteTRead);

        public bool IsChannelWriter(ITypeSymbol? type) => IsOrDerivesFrom(type, ChannelWriterOfT);

        public bool IsChannelReader(ITypeSymbol? type) => IsOrDerivesFrom(type, ChannelReaderOfT);

        public bool IsBlockingCollection(ITypeSymbol? type) => IsOrDerivesFrom(type, BlockingCollectionOfT);

        private static bool IsOrDerivesFrom(ITypeSymbol? type, INamedTypeSymbol? known)
        {
            if (known is null)
            {
                return false;
            }

            for (var current = type; current is not null; current = current.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, known))
                {
                    return true;
                }
            }

            return false;
        }

        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, KnownTypes> s_byCompilation =
            new System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, KnownTypes>();

        public static KnownTypes Create(Compilation compilation) => new KnownTypes(compilation);

        /// <summary>The types of a compilation, resolved once however many fixes and actions ask.</summary>
        public static KnownTypes For(Compilation compilation) => s_byCompilation.GetValue(compilation, Create);

        /// <summary>Task, Task&lt;T&gt;, ValueTask, ValueTask&lt;T&gt; (the awaitable results of async work).</summary>
        public bool IsTaskLike(ITypeSymbol? type)
        {
            if (type is not INamedTypeSymbol named)
            {
                return false;
            }

            var original = named.OriginalDefinition;
            return Is(original, Task) || Is(original, TaskOfT) || Is(original, ValueTask) || Is(original, ValueTaskOfT)
                || (Task is not null && InheritsFrom(named, Task));
        }

        /// <summary>Task or Task&lt;T&gt; (what Task.WhenAll, Wait and WaitAll accept).</summary>
        public bool IsTask(ITypeSymbol? type) =>
            type is INamedTypeSymbol named && Task is not null && (Is(named, Task) || InheritsFrom(named, Task));

        public bool IsThread(ITypeSymbol? type) => Is(type, Thread);

        public bool IsCancellationToken(ITypeSymbol? type) => Is(type, CancellationToken);

        /// <summary>A mutable collection or builder whose methods change its contents.</summary>
        public bool IsMutableCollection(ITypeSymbol? type)
        {
            if (type is null || type.SpecialType == SpecialType.System_String)
            {
                return false;
            }

            if (Is(type, StringBuilder) || type is IArrayTypeSymbol)
            {
                return true;
            }

            foreach (var face in type.AllInterfaces)
            {
                if (Is(face, ICollection) || Is(face.OriginalDefinition, ICollectionOfT) || Is(face.OriginalDefinition, IProducerConsumerCollectionOfT))
                {
                    return true;
                }
            }

            return false;
        }

        public static bool Is(ITypeSymbol? type, ITypeSymbol? known) =>
            type is not null && known is not null && SymbolEqualityComparer.Default.Equals(type, known);

        private static bool InheritsFrom(ITypeSymbol type, ITypeSymbol baseType)
        {
            for (var current = type.BaseType; current is not null; current = current.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, baseType))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
