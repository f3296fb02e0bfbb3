using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;

namespace Corpus.Locks.InventoryReservation;

public interface ILogger
{
    void Info(string message);
    void Error(string message, Exception error);
}

public interface IClock
{
    DateTimeOffset UtcNow { get; }
}

public sealed record Reservation(Guid Id, string Sku, int Quantity, DateTimeOffset ExpiresAt);

public sealed class OutOfStockException : Exception
{
    public OutOfStockException(string sku, int requested, int available)
        : base($"SKU {sku}: requested {requested}, only {available} available.")
    {
    }
}

public sealed class InventoryService
{
    private readonly object _stockLock = new();
    private readonly object _reservationLock = new();
    private readonly Dictionary<string, int> _onHand = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<Guid, Reservation> _reservations = new();
    private readonly IClock _clock;
    private readonly ILogger _logger;
    private readonly TimeSpan _holdDuration;

    public InventoryService(IClock clock, ILogger logger, TimeSpan holdDuration)
    {
        _clock = clock;
        _logger = logger;
        _holdDuration = holdDuration > TimeSpan.Zero ? holdDuration : TimeSpan.FromMinutes(15);
    }

    public int GetAvailable(string sku)
    {
        lock (_stockLock)
        {
            return _onHand.TryGetValue(sku, out var quantity) ? quantity : 0;
        }
    }

    public void Restock(string sku, int quantity)
    {
        if (quantity <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "Restock quantity must be positive.");
        }

        int newLevel;
        lock (_stockLock)
        {
            newLevel = (_onHand.TryGetValue(sku, out var current) ? current : 0) + quantity;
            _onHand[sku] = newLevel;
        }

        _logger.Info($"Restocked {sku} by {quantity}; on hand now {newLevel}.");
    }

    public Reservation Reserve(string sku, int quantity)
    {
        if (string.IsNullOrWhiteSpace(sku))
        {
            throw new ArgumentException("SKU is required.", nameof(sku));
        }

        if (quantity <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(quantity));
        }

        lock (_stockLock)
        {
            var available = _onHand.TryGetValue(sku, out var onHand) ? onHand : 0;
            if (available < quantity)
            {
                throw new OutOfStockException(sku, quantity, available);
            }

            _onHand[sku] = available - quantity;

            var reservation = new Reservation(Guid.NewGuid(), sku, quantity, _clock.UtcNow + _holdDuration);
            lock (_reservationLock) // expect: CONC030
            {
                _reservations.Add(reservation.Id, reservation);
            }

            _logger.Info($"Reserved {quantity} x {sku} as {reservation.Id}.");
            return reservation;
        }
    }

    public bool Confirm(Guid reservationId)
    {
        lock (_reservationLock)
        {
            return _reservations.Remove(reservationId);
        }
    }

    public bool Cancel(Guid reservationId)
    {
        Reservation? reservation;
        lock (_reservationLock)
        {
            if (!_reservations.Remove(reservationId, out reservation))
            {
                return false;
            }
        }

        ReturnToStock(new[] { reservation });
        _logger.Info($"Cancelled reservation {reservationId}.");
        return true;
    }

    public int ExpireReservations()
    {
        var now = _clock.UtcNow;
        lock (_reservationLock)
        {
            var expired = new List<Reservation>();
            foreach (var reservation in _reservations.Values)
            {
                if (reservation.ExpiresAt <= now)
                {
                    expired.Add(reservation);
                }
            }

            foreach (var reservation in expired)
            {
                _reservations.Remove(reservation.Id);
            }

            if (expired.Count > 0)
            {
                ReturnToStock(expired); // expect: CONC030
            }

            return expired.Count;
        }
    }

    public string BuildReservationReport()
    {
        var report = new StringBuilder();
        lock (_reservationLock)
        {
            var stockTaken = false;
            try
            {
                Monitor.Enter(_stockLock, ref stockTaken); // expect: CONC030
                foreach (var reservation in _reservations.Values)
                {
                    var onHand = _onHand.TryGetValue(reservation.Sku, out var quantity) ? quantity : 0;
                    report.AppendLine($"{reservation.Id} {reservation.Sku} x{reservation.Quantity} (on hand {onHand}, expires {reservation.ExpiresAt:u})");
                }
            }
            finally
            {
                if (stockTaken)
                {
                    Monitor.Exit(_stockLock);
                }
            }
        }

        return report.ToString();
    }

    private void ReturnToStock(IEnumerable<Reservation> reservations)
    {
        lock (_stockLock)
        {
            foreach (var reservation in reservations)
            {
                var current = _onHand.TryGetValue(reservation.Sku, out var quantity) ? quantity : 0;
                _onHand[reservation.Sku] = current + reservation.Quantity;
            }
        }
    }
}

public sealed class ReservationSweeper : IDisposable
{
    private readonly InventoryService _inventory;
    private readonly ILogger _logger;
    private readonly Timer _timer;

    public ReservationSweeper(InventoryService inventory, ILogger logger, TimeSpan interval)
    {
        _inventory = inventory;
        _logger = logger;
        _timer = new Timer(_ => Sweep(), null, interval, interval);
    }

    private void Sweep()
    {
        try
        {
            var expired = _inventory.ExpireReservations();
            if (expired > 0)
            {
                _logger.Info($"Released {expired} expired reservations.");
            }
        }
        catch (Exception ex)
        {
            _logger.Error("Reservation sweep failed.", ex);
        }
    }

    public void Dispose() => _timer.Dispose();
}
