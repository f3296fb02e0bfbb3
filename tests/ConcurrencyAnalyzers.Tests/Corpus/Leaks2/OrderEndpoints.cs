using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Leaks2.OrderEndpoints;

// ---- minimal ASP.NET Core / EF Core shapes ----------------------------------------------------

public interface IActionResult
{
}

public sealed record StatusResult(int StatusCode, object? Value = null) : IActionResult;

public sealed class HttpContext
{
    public CancellationToken RequestAborted { get; init; }
}

public abstract class ControllerBase
{
    public HttpContext HttpContext { get; set; } = new();

    protected static IActionResult Ok(object? value) => new StatusResult(200, value);

    protected static IActionResult Accepted() => new StatusResult(202);

    protected static IActionResult NoContent() => new StatusResult(204);

    protected static IActionResult NotFound() => new StatusResult(404);
}

[AttributeUsage(AttributeTargets.Method)]
public sealed class HttpGetAttribute : Attribute
{
    public HttpGetAttribute(string template = "") => Template = template;

    public string Template { get; }
}

[AttributeUsage(AttributeTargets.Method)]
public sealed class HttpPostAttribute : Attribute
{
    public HttpPostAttribute(string template = "") => Template = template;

    public string Template { get; }
}

public sealed class Order
{
    public Guid Id { get; init; } = Guid.NewGuid();

    public string Customer { get; init; } = "";

    public decimal Total { get; init; }

    public string Status { get; set; } = "New";
}

public sealed class DbSet<TEntity>
    where TEntity : class
{
    private readonly List<TEntity> _local = new();

    public void Add(TEntity entity) => _local.Add(entity);

    public ValueTask<TEntity?> FirstOrDefaultAsync(Func<TEntity, bool> predicate, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<TEntity?>(_local.FirstOrDefault(predicate));
    }

    public Task<List<TEntity>> ToListAsync(Func<TEntity, bool> predicate, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_local.Where(predicate).ToList());
    }
}

public abstract class DbContext : IAsyncDisposable
{
    public virtual Task<int> SaveChangesAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(0);
    }

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

public sealed class ShopDbContext : DbContext
{
    public DbSet<Order> Orders { get; } = new();
}

// ---- application code -------------------------------------------------------------------------

public sealed class AuditTrail
{
    private readonly Func<string, Task> _sink;

    public AuditTrail(Func<string, Task> sink) => _sink = sink;

    public Task RecordAsync(string message) => _sink($"{DateTimeOffset.UtcNow:O} {message}");
}

public sealed class OrderRepository
{
    private readonly ShopDbContext _db;

    public OrderRepository(ShopDbContext db) => _db = db;

    public ValueTask<Order?> FindAsync(Guid id, CancellationToken cancellationToken = default) =>
        _db.Orders.FirstOrDefaultAsync(o => o.Id == id, cancellationToken);

    public Task<List<Order>> ForCustomerAsync(string customer, CancellationToken cancellationToken = default) =>
        _db.Orders.ToListAsync(o => customer == "*" || o.Customer == customer, cancellationToken);

    public async Task AddAsync(Order order, CancellationToken cancellationToken = default)
    {
        _db.Orders.Add(order);
        await _db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> CancelAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var order = await FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (order is null || order.Status == "Cancelled")
        {
            return false;
        }

        order.Status = "Cancelled";
        await _db.SaveChangesAsync().ConfigureAwait(false); // expect: CONC012
        return true;
    }

    // Once the payment provider has captured the money the state change must be persisted,
    // so the caller's token is only honoured before we start.
    public async Task MarkPaidAsync(Order order, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        order.Status = "Paid";
        await _db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
    }
}

public sealed class OrdersController : ControllerBase
{
    private readonly OrderRepository _orders;
    private readonly AuditTrail _audit;

    public OrdersController(OrderRepository orders, AuditTrail audit)
    {
        _orders = orders;
        _audit = audit;
    }

    [HttpGet("orders/{id}")]
    public async Task<IActionResult> Get(Guid id, CancellationToken cancellationToken)
    {
        var order = await _orders.FindAsync(id, cancellationToken);
        return order is null ? NotFound() : Ok(order);
    }

    [HttpGet("customers/{customer}/orders")]
    public async Task<IActionResult> ForCustomer(string customer)
    {
        var orders = await _orders.ForCustomerAsync(customer, HttpContext.RequestAborted);
        return Ok(orders.Select(o => new { o.Id, o.Total, o.Status }).ToList());
    }

    [HttpPost("orders")]
    public async Task<IActionResult> Create(Order order, CancellationToken cancellationToken)
    {
        await _orders.AddAsync(order, cancellationToken);
        _ = _audit.RecordAsync($"order {order.Id} created for {order.Customer}"); // expect: CONC010
        return Accepted();
    }

    [HttpPost("orders/{id}/cancel")]
    public async Task<IActionResult> Cancel(Guid id, CancellationToken cancellationToken)
    {
        if (!await _orders.CancelAsync(id, cancellationToken))
        {
            return NotFound();
        }

        // Awaited on purpose: the audit entry is written even when the client has gone away.
        await _audit.RecordAsync($"order {id} cancelled");
        return NoContent();
    }

    [HttpPost("orders/{id}/paid")]
    public async Task<IActionResult> Paid(Guid id, CancellationToken cancellationToken)
    {
        var order = await _orders.FindAsync(id, cancellationToken);
        if (order is null)
        {
            return NotFound();
        }

        await _orders.MarkPaidAsync(order, cancellationToken);
        await _audit.RecordAsync($"order {id} paid");
        return NoContent();
    }

    [HttpGet("orders/export")]
    public async Task<IActionResult> Export(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));

        var orders = await _orders.ForCustomerAsync("*", timeout.Token);
        var csv = await Task.Run(() => ToCsv(orders), timeout.Token);
        return Ok(csv);
    }

    [HttpGet("customers/{customer}/summary")]
    public async Task<IActionResult> Summary(string customer, CancellationToken cancellationToken)
    {
        var orders = await _orders.ForCustomerAsync(customer, cancellationToken);
        var summary = await Task.Run(() => Summarize(orders)); // expect: CONC012
        return Ok(summary);
    }

    private static string ToCsv(IEnumerable<Order> orders) =>
        string.Join('\n', orders.Select(o => $"{o.Id},{o.Customer},{o.Total},{o.Status}"));

    private static object Summarize(IReadOnlyCollection<Order> orders) =>
        new { Count = orders.Count, Total = orders.Sum(o => o.Total), Open = orders.Count(o => o.Status == "New") };
}
