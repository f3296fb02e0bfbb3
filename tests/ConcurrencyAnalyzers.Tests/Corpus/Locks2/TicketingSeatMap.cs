using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Corpus.Locks2.TicketingSeatMap;

public interface IPaymentGateway
{
    Task<string> ChargeAsync(string customerId, decimal amount, CancellationToken cancellationToken);
}

public interface ITicketLogger
{
    void Info(string message);

    void Error(Exception exception, string message);
}

public enum SeatStatus
{
    Available,
    Held,
    Sold,
}

public readonly record struct SeatId(string Section, int Row, int Number)
{
    public override string ToString() => $"{Section}-{Row}-{Number}";
}

public sealed class SeatUnavailableException : Exception
{
    public SeatUnavailableException(SeatId seat)
        : base($"Seat {seat} is not available.")
    {
        Seat = seat;
    }

    public SeatId Seat { get; }
}

public sealed class EventSeatMap : IDisposable
{
    private readonly SemaphoreSlim _checkoutGate = new(1, 1);
    private readonly object _seatSync = new();
    private readonly object _pricingSync = new();
    private readonly Dictionary<SeatId, SeatStatus> _status = new();
    private readonly Dictionary<SeatId, string> _holders = new();
    private readonly Dictionary<string, decimal> _sectionPrices;
    private readonly IPaymentGateway _payments;
    private readonly ITicketLogger _log;
    private decimal _demandMultiplier = 1.0m;

    public EventSeatMap(
        IEnumerable<SeatId> seats,
        IDictionary<string, decimal> sectionPrices,
        IPaymentGateway payments,
        ITicketLogger log)
    {
        foreach (var seat in seats)
        {
            _status[seat] = SeatStatus.Available;
        }

        _sectionPrices = new Dictionary<string, decimal>(sectionPrices, StringComparer.Ordinal);
        _payments = payments ?? throw new ArgumentNullException(nameof(payments));
        _log = log ?? throw new ArgumentNullException(nameof(log));
    }

    public decimal HoldSeats(string customerId, IReadOnlyCollection<SeatId> seats)
    {
        if (seats.Count == 0)
        {
            throw new ArgumentException("Select at least one seat.", nameof(seats));
        }

        lock (_seatSync)
        {
            foreach (var seat in seats)
            {
                if (!_status.TryGetValue(seat, out var status) || status != SeatStatus.Available)
                {
                    throw new SeatUnavailableException(seat);
                }
            }

            foreach (var seat in seats)
            {
                _status[seat] = SeatStatus.Held;
                _holders[seat] = customerId;
            }

            // Quote while the hold is in place so the customer sees the price they were held at.
            return QuoteTotal(seats); // expect: CONC030
        }
    }

    public decimal QuoteTotal(IEnumerable<SeatId> seats)
    {
        lock (_pricingSync)
        {
            var total = 0m;
            foreach (var seat in seats)
            {
                if (!_sectionPrices.TryGetValue(seat.Section, out var basePrice))
                {
                    throw new InvalidOperationException($"No price configured for section {seat.Section}.");
                }

                total += decimal.Round(basePrice * _demandMultiplier, 2);
            }

            return total;
        }
    }

    public async Task<string> CheckoutAsync(string customerId, IReadOnlyCollection<SeatId> seats, CancellationToken cancellationToken)
    {
        lock (_seatSync)
        {
            foreach (var seat in seats)
            {
                if (!_holders.TryGetValue(seat, out var holder) || holder != customerId)
                {
                    throw new InvalidOperationException($"Seat {seat} is not held by {customerId}.");
                }
            }
        }

        var amount = QuoteTotal(seats);
        await _checkoutGate.WaitAsync(cancellationToken);
        try
        {
            var receipt = await _payments.ChargeAsync(customerId, amount, cancellationToken);
            lock (_seatSync) // expect: CONC030
            {
                foreach (var seat in seats)
                {
                    _status[seat] = SeatStatus.Sold;
                    _holders.Remove(seat);
                }
            }

            _log.Info($"{customerId} bought {seats.Count} seat(s) for {amount}, receipt {receipt}.");
            return receipt;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log.Error(ex, $"Checkout failed for {customerId}.");
            throw;
        }
        finally
        {
            _checkoutGate.Release();
        }
    }

    // Operations dashboard: surge pricing must never change in the middle of a checkout.
    public void ApplyDemandMultiplier(decimal multiplier)
    {
        if (multiplier is < 0.5m or > 3.0m)
        {
            throw new ArgumentOutOfRangeException(nameof(multiplier), "Multiplier must be between 0.5 and 3.0.");
        }

        lock (_pricingSync)
        {
            _checkoutGate.Wait(); // expect: CONC030
            try
            {
                _demandMultiplier = multiplier;
            }
            finally
            {
                _checkoutGate.Release();
            }
        }

        _log.Info($"Demand multiplier set to {multiplier}.");
    }

    public int ReleaseHolds(string customerId)
    {
        lock (_seatSync)
        {
            var held = _holders.Where(h => h.Value == customerId).Select(h => h.Key).ToList();
            foreach (var seat in held)
            {
                _holders.Remove(seat);
                _status[seat] = SeatStatus.Available;
            }

            return held.Count;
        }
    }

    public int CountAvailable(string section)
    {
        lock (_seatSync)
        {
            return _status.Count(s => s.Key.Section == section && s.Value == SeatStatus.Available);
        }
    }

    public void Dispose() => _checkoutGate.Dispose();
}
