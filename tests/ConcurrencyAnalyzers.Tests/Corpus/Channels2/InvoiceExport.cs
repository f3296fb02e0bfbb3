using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Corpus.Channels2.Invoicing;

public sealed record Invoice(string Number, string CustomerId, DateOnly IssuedOn, decimal Amount);

public sealed record InvoiceDocument(string Number, string CustomerId, byte[] Pdf);

public sealed record ExportResult(int Uploaded, int Failed);

public interface IInvoiceSource
{
    IAsyncEnumerable<Invoice> StreamAsync(DateOnly monthStart, DateOnly monthEnd);
}

public interface IPdfRenderer
{
    Task<byte[]> RenderAsync(Invoice invoice);
}

public interface IDocumentArchive
{
    Task PutAsync(string key, byte[] content);
}

internal static class ArchiveKeys
{
    public static string For(InvoiceDocument document)
        => $"invoices/{document.CustomerId}/{document.Number}.pdf";
}

public sealed class InvoiceExportJob
{
    private readonly IInvoiceSource _source;
    private readonly IPdfRenderer _renderer;
    private readonly IDocumentArchive _archive;
    private readonly int _renderers;
    private int _uploaded;
    private int _failed;

    public InvoiceExportJob(IInvoiceSource source, IPdfRenderer renderer, IDocumentArchive archive, int renderers = 4)
    {
        _source = source;
        _renderer = renderer;
        _archive = archive;
        _renderers = renderers;
    }

    public async Task<ExportResult> RunAsync(int year, int month)
    {
        var first = new DateOnly(year, month, 1);
        var last = first.AddMonths(1).AddDays(-1);

        var invoices = Channel.CreateBounded<Invoice>(new BoundedChannelOptions(200) { SingleWriter = true });
        var documents = Channel.CreateBounded<InvoiceDocument>(new BoundedChannelOptions(50) { SingleReader = true });

        var load = LoadAsync(first, last, invoices.Writer);
        var render = RenderAsync(invoices.Reader, documents.Writer);
        var upload = UploadAsync(documents.Reader);

        await Task.WhenAll(load, render, upload);
        return new ExportResult(Volatile.Read(ref _uploaded), Volatile.Read(ref _failed));
    }

    private async Task LoadAsync(DateOnly first, DateOnly last, ChannelWriter<Invoice> output)
    {
        try
        {
            await foreach (var invoice in _source.StreamAsync(first, last))
            {
                if (invoice.Amount != 0)
                {
                    await output.WriteAsync(invoice);
                }
            }
        }
        finally
        {
            output.Complete();
        }
    }

    private async Task RenderAsync(ChannelReader<Invoice> input, ChannelWriter<InvoiceDocument> output)
    {
        var workers = new Task[_renderers];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(async () =>
            {
                await foreach (var invoice in input.ReadAllAsync())
                {
                    var pdf = await _renderer.RenderAsync(invoice);
                    await output.WriteAsync(new InvoiceDocument(invoice.Number, invoice.CustomerId, pdf));
                }
            });
        }

        await Task.WhenAll(workers);
    }

    private async Task UploadAsync(ChannelReader<InvoiceDocument> input)
    {
        await foreach (var document in input.ReadAllAsync()) // expect: CONC042
        {
            try
            {
                await _archive.PutAsync(ArchiveKeys.For(document), document.Pdf);
                Interlocked.Increment(ref _uploaded);
            }
            catch (IOException)
            {
                Interlocked.Increment(ref _failed);
            }
        }
    }
}
