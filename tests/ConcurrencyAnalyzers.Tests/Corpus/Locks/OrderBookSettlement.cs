using System;
using System.Collections.Generic;

namespace Corpus.Locks.OrderBookSettlement;

public enum Side
{
    Buy,
    Sell,
}

public sealed record Order(long Id, string Trader, string Symbol, Side Side, decimal Price, int Quantity);

public sealed record Fill(long OrderId, string Trader, string Symbol, decimal Price, int Quantity);

public interface ILogger
{
    void Info(string message);
    void Warn(string message);
}

public sealed class RiskLimitExceededException : Exception
{
    public RiskLimitExceededException(string trader, decimal requested, decimal limit)
        : base($"Trader {trader} would reach {requested} notional, above the limit of {limit}.")
    {
    }
}

public sealed class OrderBook
{
    private readonly object _bookLock = new();
    private readonly Dictionary<long, Order> _open = new();
    private readonly HashSet<long> _settled = new();
    private readonly RiskEngine _risk;
    private readonly ILogger _logger;

    public OrderBook(RiskEngine risk, ILogger logger)
    {
        _risk = risk;
        _logger = logger;
    }

    public void Submit(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.Quantity <= 0 || order.Price <= 0)
        {
            throw new ArgumentException("Orders need a positive price and quantity.", nameof(order));
        }

        lock (_bookLock)
        {
            if (_open.ContainsKey(order.Id))
            {
                throw new InvalidOperationException($"Order {order.Id} is already on the book.");
            }

            _risk.CheckExposure(order); // expect: CONC030
            _open.Add(order.Id, order);
        }

        _logger.Info($"Accepted {order.Side} {order.Quantity} {order.Symbol} @ {order.Price} for {order.Trader}.");
    }

    public bool Cancel(long orderId)
    {
        lock (_bookLock)
        {
            if (!_open.Remove(orderId, out var order))
            {
                return false;
            }

            _risk.ReleaseExposure(order); // expect: CONC030
            return true;
        }
    }

    public Fill? Execute(long orderId, decimal executionPrice)
    {
        Order? order;
        lock (_bookLock)
        {
            if (!_open.Remove(orderId, out order))
            {
                _logger.Warn($"Execution report for unknown order {orderId}.");
                return null;
            }
        }

        // Risk is updated after the book lock has been released.
        var fill = new Fill(order.Id, order.Trader, order.Symbol, executionPrice, order.Quantity);
        _risk.RecordFill(fill, order.Price * order.Quantity);
        return fill;
    }

    internal void MarkSettled(long orderId)
    {
        lock (_bookLock)
        {
            _settled.Add(orderId);
        }
    }

    public bool IsSettled(long orderId)
    {
        lock (_bookLock)
        {
            return _settled.Contains(orderId);
        }
    }
}

public sealed class RiskEngine
{
    private readonly object _riskLock = new();
    private readonly Dictionary<string, decimal> _exposure = new(StringComparer.Ordinal);
    private readonly SettlementService _settlement;
    private readonly decimal _limitPerTrader;

    public RiskEngine(SettlementService settlement, decimal limitPerTrader)
    {
        _settlement = settlement;
        _limitPerTrader = limitPerTrader;
    }

    public void CheckExposure(Order order)
    {
        var notional = order.Price * order.Quantity;
        lock (_riskLock)
        {
            var current = _exposure.GetValueOrDefault(order.Trader);
            if (current + notional > _limitPerTrader)
            {
                throw new RiskLimitExceededException(order.Trader, current + notional, _limitPerTrader);
            }

            _exposure[order.Trader] = current + notional;
        }
    }

    public void ReleaseExposure(Order order)
    {
        lock (_riskLock)
        {
            var remaining = _exposure.GetValueOrDefault(order.Trader) - order.Price * order.Quantity;
            _exposure[order.Trader] = Math.Max(0m, remaining);
        }
    }

    public void RecordFill(Fill fill, decimal reservedNotional)
    {
        lock (_riskLock)
        {
            var remaining = _exposure.GetValueOrDefault(fill.Trader) - reservedNotional;
            _exposure[fill.Trader] = Math.Max(0m, remaining);
            _settlement.Enqueue(fill); // expect: CONC030
        }
    }

    public decimal ExposureOf(string trader)
    {
        lock (_riskLock)
        {
            return _exposure.GetValueOrDefault(trader);
        }
    }
}

public sealed class SettlementService
{
    private readonly object _settlementLock = new();
    private readonly Queue<Fill> _pending = new();
    private readonly ILogger _logger;
    private decimal _settledNotional;

    public SettlementService(ILogger logger)
    {
        _logger = logger;
    }

    public void Enqueue(Fill fill)
    {
        lock (_settlementLock)
        {
            _pending.Enqueue(fill);
        }
    }

    public int SettleBatch(OrderBook book, int maxFills)
    {
        if (maxFills <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxFills));
        }

        var settled = 0;
        lock (_settlementLock)
        {
            while (settled < maxFills && _pending.TryDequeue(out var fill))
            {
                _settledNotional += fill.Price * fill.Quantity;
                book.MarkSettled(fill.OrderId); // expect: CONC030
                settled++;
            }
        }

        _logger.Info($"Settled {settled} fills.");
        return settled;
    }

    public (int Pending, decimal SettledNotional) GetSummary()
    {
        lock (_settlementLock)
        {
            return (_pending.Count, _settledNotional);
        }
    }
}
