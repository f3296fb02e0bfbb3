using System.Linq;
using System.Threading.Tasks;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ConcurrencyAnalyzers.Tests.Model
{
    public class EnclosingFunctionTests
    {
        private const string Source = """
            using System;
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;

            public class Shapes
            {
                public async Task AsyncMethod()
                {
                    M("in async method");
                    Action sync = () => M("in sync lambda");
                    Func<Task> asyncLambda = async () => { M("in async lambda"); await Task.Yield(); };
                    void Local() => M("in local function");
                    Local();
                    await Task.Yield();
                }

                public Task TaskReturning() { M("in task-returning method"); return Task.CompletedTask; }

                public async IAsyncEnumerable<int> Iterator() { M("in async iterator"); await Task.Yield(); yield return 1; }

                public void Sync() { M("in sync method"); }

                private static void M(string where) { }
            }
            """;

        [Theory]
        [InlineData("in async method", true, true)]
        [InlineData("in sync lambda", false, false)]
        [InlineData("in async lambda", true, true)]
        [InlineData("in local function", false, false)]
        [InlineData("in task-returning method", false, true)]
        [InlineData("in async iterator", true, true)]
        [InlineData("in sync method", false, false)]
        public async Task Async_context_is_a_question_about_the_innermost_function(string marker, bool isAsync, bool isAsyncContext)
        {
            var helper = await ModelTestHelper.CompileAsync(Source);
            var call = helper.Invocation("M(\"" + marker + "\")");
            var containing = helper.Model.GetEnclosingSymbol(call.Syntax.SpanStart);
            while (containing is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction })
            {
                containing = containing.ContainingSymbol;
            }

            var function = EnclosingFunction.Of(call, containing);
            Assert.Equal(isAsync, function.IsAsync);
            Assert.Equal(isAsyncContext, function.IsAsyncContext(helper.Types));
        }
    }
}
