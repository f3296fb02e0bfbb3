using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net.Mail;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels.Mail
{
    public interface IHostedService
    {
        Task StartAsync(CancellationToken cancellationToken);
        Task StopAsync(CancellationToken cancellationToken);
    }

    public sealed record OutgoingMail(Guid Id, string To, string Subject, string HtmlBody);

    public interface IMailTransport
    {
        Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken);
    }

    /// <summary>
    /// Sends transactional mail off the request path. On shutdown the queue is closed,
    /// in-flight mail is given a grace period, and anything that could not be queued is
    /// reported back to the caller so it can be persisted.
    /// </summary>
    public sealed class MailOutbox : IHostedService
    {
        private readonly Channel<OutgoingMail> _outbox = Channel.CreateBounded<OutgoingMail>(new BoundedChannelOptions(1_000)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });

        private readonly IMailTransport _transport;
        private readonly ConcurrentQueue<OutgoingMail> _deadLetters = new();
        private readonly CancellationTokenSource _abort = new();
        private Task _sender = Task.CompletedTask;

        public MailOutbox(IMailTransport transport)
        {
            _transport = transport;
        }

        public IReadOnlyCollection<OutgoingMail> DeadLetters => _deadLetters.ToArray();

        public Task StartAsync(CancellationToken cancellationToken)
        {
            _sender = Task.Run(() => SendLoopAsync(_abort.Token), CancellationToken.None);
            return Task.CompletedTask;
        }

        /// <returns><c>false</c> if the outbox is shutting down and the mail was not queued.</returns>
        public async ValueTask<bool> QueueAsync(OutgoingMail mail, CancellationToken cancellationToken)
        {
            try
            {
                await _outbox.Writer.WriteAsync(mail, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (ChannelClosedException)
            {
                return false;
            }
        }

        private async Task SendLoopAsync(CancellationToken abortToken)
        {
            var reader = _outbox.Reader;
            while (await reader.WaitToReadAsync().ConfigureAwait(false)) // expect: CONC012
            {
                while (reader.TryRead(out var mail))
                {
                    if (abortToken.IsCancellationRequested)
                    {
                        // Grace period is over; keep the rest for the next start.
                        _deadLetters.Enqueue(mail);
                        continue;
                    }

                    try
                    {
                        await _transport.SendAsync(mail, abortToken).ConfigureAwait(false);
                    }
                    catch (SmtpFailedRecipientException ex)
                    {
                        // Permanent failure for this recipient; retrying will not help.
                        Console.Error.WriteLine($"mail {mail.Id} rejected for {ex.FailedRecipient}: {ex.StatusCode}");
                    }
                    catch (Exception ex) when (ex is SmtpException or OperationCanceledException)
                    {
                        _deadLetters.Enqueue(mail);
                    }
                }
            }
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            _outbox.Writer.TryComplete();

            using (cancellationToken.Register(() => _abort.Cancel()))
            {
                // Completion finishes once everything queued before TryComplete has been read.
                await _outbox.Reader.Completion.ConfigureAwait(false);
                await _sender.ConfigureAwait(false);
            }
        }
    }
}
