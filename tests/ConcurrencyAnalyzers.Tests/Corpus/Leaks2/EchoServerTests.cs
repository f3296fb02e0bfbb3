using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Leaks2.EchoServerTests;

// ---- minimal xUnit shapes ---------------------------------------------------------------------

[AttributeUsage(AttributeTargets.Method)]
public sealed class FactAttribute : Attribute
{
    public string? Skip { get; set; }
}

public sealed class AssertException : Exception
{
    public AssertException(string message)
        : base(message)
    {
    }
}

public static class Assert
{
    public static void True(bool condition, string? message = null)
    {
        if (!condition)
        {
            throw new AssertException(message ?? "Expected true.");
        }
    }

    public static void False(bool condition, string? message = null)
    {
        if (condition)
        {
            throw new AssertException(message ?? "Expected false.");
        }
    }

    public static void Equal<T>(T expected, T actual)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw new AssertException($"Expected '{expected}', got '{actual}'.");
        }
    }

    public static async Task<T> ThrowsAnyAsync<T>(Func<Task> testCode)
        where T : Exception
    {
        try
        {
            await testCode();
        }
        catch (T ex)
        {
            return ex;
        }

        throw new AssertException($"Expected an exception of type {typeof(T).Name}.");
    }
}

// ---- system under test ------------------------------------------------------------------------

/// <summary>A one-connection-at-a-time TCP echo server used by the integration tests.</summary>
public sealed class EchoServer
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Listening => _listening.Task;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _listener.Start();
        _listening.TrySetResult();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                using var client = await _listener.AcceptTcpClientAsync(cancellationToken);
                await EchoAsync(client.GetStream(), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // normal shutdown
        }
        finally
        {
            _listener.Stop();
        }
    }

    private static async Task EchoAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[1024];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }
}

// ---- tests ------------------------------------------------------------------------------------

public sealed class EchoServerLifetimeTests
{
    [Fact]
    public async Task Echoes_a_line_and_stops_when_cancelled()
    {
        var server = new EchoServer();
        using var stop = new CancellationTokenSource();
        var run = server.RunAsync(stop.Token);
        await server.Listening.WaitAsync(TimeSpan.FromSeconds(5));

        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, server.Port);
            var stream = client.GetStream();
            var payload = Encoding.UTF8.GetBytes("ping\n");
            await stream.WriteAsync(payload);

            var echoed = new byte[payload.Length];
            await stream.ReadExactlyAsync(echoed);
            Assert.Equal("ping\n", Encoding.UTF8.GetString(echoed));
        }

        stop.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(run.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Stops_while_a_client_is_mid_message()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var stop = new CancellationTokenSource();
        var server = new EchoServer();
        var run = server.RunAsync(stop.Token);
        await server.Listening.WaitAsync(timeout.Token);

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.Port); // expect: CONC012
        _ = SendSlowlyAsync(client.GetStream(), Encoding.UTF8.GetBytes("a long line that arrives byte by byte\n")); // expect: CONC010

        stop.Cancel();
        await run.WaitAsync(timeout.Token);
        Assert.True(run.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Refuses_to_start_with_an_already_cancelled_token()
    {
        var server = new EchoServer();
        var cts = new CancellationTokenSource(); // expect: CONC013
        cts.Cancel();

        var run = server.RunAsync(cts.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.False(server.Listening.IsCompleted);
    }

    [Fact]
    public async Task Serves_clients_one_after_another()
    {
        var server = new EchoServer();
        // The listener lives until the test process exits; nothing here needs to stop it.
        _ = server.RunAsync(CancellationToken.None);
        await server.Listening.WaitAsync(TimeSpan.FromSeconds(5));

        for (var i = 0; i < 2; i++)
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, server.Port);
            var stream = client.GetStream();
            var payload = Encoding.UTF8.GetBytes($"hello {i}\n");
            await stream.WriteAsync(payload);

            var echoed = new byte[payload.Length];
            await stream.ReadExactlyAsync(echoed);
            Assert.Equal($"hello {i}\n", Encoding.UTF8.GetString(echoed));
        }
    }

    private static async Task SendSlowlyAsync(NetworkStream stream, byte[] payload)
    {
        for (var i = 0; i < payload.Length; i++)
        {
            await stream.WriteAsync(payload.AsMemory(i, 1));
            await Task.Delay(20);
        }
    }
}
