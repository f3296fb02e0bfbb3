using System;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Sleep.IntegrationTests;

public static class Expect
{
    public static void True(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Expectation failed: " + message);
        }
    }
}

public sealed class InProcEchoServer
{
    private readonly TcpListener _listener;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _connections;

    public InProcEchoServer(int port = 0) => _listener = new TcpListener(IPAddress.Loopback, port);

    public int Port { get; private set; }

    public bool IsListening { get; private set; }

    public int Connections => Volatile.Read(ref _connections);

    public Task Started => _started.Task;

    public async Task RunAsync(CancellationToken token)
    {
        // Don't block the caller while the socket binds.
        await Task.Yield();
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        IsListening = true;
        _started.TrySetResult();

        try
        {
            while (!token.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(token).ConfigureAwait(false);
                Interlocked.Increment(ref _connections);
                _ = EchoAsync(client, token);
            }
        }
        finally
        {
            IsListening = false;
            _listener.Stop();
        }
    }

    private static async Task EchoAsync(TcpClient client, CancellationToken token)
    {
        using (client)
        {
            var stream = client.GetStream();
            var buffer = new byte[4096];
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(), token).ConfigureAwait(false)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, read), token).ConfigureAwait(false);
            }
        }
    }
}

public sealed class EchoServerTests
{
    private const int FixedPort = 15_123;

    public async Task Server_reports_its_port_after_start()
    {
        var server = new InProcEchoServer();
        using var cts = new CancellationTokenSource();

        _ = server.RunAsync(cts.Token);
        await Task.Delay(200); // expect: CONC021

        Expect.True(server.IsListening, "server should be listening");
        Expect.True(server.Port > 0, "server should have bound a port");
        cts.Cancel();
    }

    public async Task Server_reports_its_port_once_started()
    {
        var server = new InProcEchoServer();
        using var cts = new CancellationTokenSource();

        var run = server.RunAsync(cts.Token);
        await server.Started.WaitAsync(TimeSpan.FromSeconds(5));

        Expect.True(server.Port > 0, "server should have bound a port");
        cts.Cancel();
        try { await run; } catch (OperationCanceledException) { }
        Expect.True(!server.IsListening, "server should have stopped");
    }

    public async Task Client_can_echo_a_line()
    {
        var server = new InProcEchoServer(FixedPort);
        using var cts = new CancellationTokenSource();
        var serverTask = Task.Run(() => server.RunAsync(cts.Token));

        // Give the listener time to bind before the client connects.
        await Task.Delay(300);

        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, FixedPort);
            var stream = client.GetStream();
            var payload = Encoding.UTF8.GetBytes("ping\n");
            await stream.WriteAsync(payload);

            var buffer = new byte[payload.Length];
            var total = 0;
            while (total < buffer.Length)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(total));
                if (read == 0) break;
                total += read;
            }

            Expect.True(Encoding.UTF8.GetString(buffer, 0, total) == "ping\n", "echoed payload");
        }

        cts.Cancel();
        try { await serverTask; } catch (OperationCanceledException) { }
        Expect.True(server.Connections == 1, "exactly one connection accepted");
    }
}
