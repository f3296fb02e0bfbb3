using System;
using System.Collections.Generic;
using System.Linq;

namespace Corpus.Locks.BankTransfersOrdered;

public interface ILogger
{
    void Info(string message);
}

public sealed class InsufficientFundsException : Exception
{
    public InsufficientFundsException(long accountNumber, decimal requested, decimal available)
        : base($"Account {accountNumber}: requested {requested}, available {available}.")
    {
    }
}

public sealed record TransferRecord(long Id, long From, long To, decimal Amount, DateTimeOffset At);

public sealed class TransferJournal
{
    private readonly object _journalLock = new();
    private readonly List<TransferRecord> _records = new();
    private long _nextId;

    public long Append(long from, long to, decimal amount)
    {
        lock (_journalLock)
        {
            _nextId++;
            _records.Add(new TransferRecord(_nextId, from, to, amount, DateTimeOffset.UtcNow));
            return _nextId;
        }
    }

    public IReadOnlyList<TransferRecord> Since(long id)
    {
        lock (_journalLock)
        {
            return _records.Where(r => r.Id > id).ToList();
        }
    }

    public decimal TotalVolume()
    {
        lock (_journalLock)
        {
            return _records.Sum(r => r.Amount);
        }
    }
}

public sealed class BankAccount
{
    private readonly object _sync = new();
    private decimal _balance;
    private decimal _holds;

    public BankAccount(long number, string currency, decimal openingBalance)
    {
        Number = number;
        Currency = currency;
        _balance = openingBalance;
    }

    public long Number { get; }

    public string Currency { get; }

    public decimal Available
    {
        get
        {
            lock (_sync)
            {
                return _balance - _holds;
            }
        }
    }

    public void Deposit(decimal amount)
    {
        if (amount <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(amount));
        }

        lock (_sync)
        {
            _balance += amount;
        }
    }

    public void PlaceHold(decimal amount)
    {
        lock (_sync)
        {
            EnsureAvailable(amount);
            _holds += amount;
        }
    }

    // Monitor is re-entrant, so this is safe whether or not the caller already holds _sync.
    private void EnsureAvailable(decimal amount)
    {
        lock (_sync)
        {
            if (_balance - _holds < amount)
            {
                throw new InsufficientFundsException(Number, amount, _balance - _holds);
            }
        }
    }

    /// <summary>Always locks the lower account number first so opposite transfers cannot deadlock.</summary>
    public static long Transfer(BankAccount from, BankAccount to, decimal amount, TransferJournal journal)
    {
        Validate(from, to, amount);

        var (first, second) = from.Number < to.Number ? (from, to) : (to, from);
        lock (first._sync)
        {
            lock (second._sync)
            {
                if (from._balance - from._holds < amount)
                {
                    throw new InsufficientFundsException(from.Number, amount, from._balance - from._holds);
                }

                from._balance -= amount;
                to._balance += amount;
                return journal.Append(from.Number, to.Number, amount);
            }
        }
    }

    /// <summary>Moves an existing hold to another account, e.g. when a card authorization is re-routed.</summary>
    public static void MoveHold(BankAccount source, BankAccount target, decimal amount)
    {
        Validate(source, target, amount);

        var lower = source.Number < target.Number ? source : target;
        var higher = source.Number < target.Number ? target : source;
        lock (lower._sync)
        {
            lock (higher._sync)
            {
                if (source._holds < amount)
                {
                    throw new InvalidOperationException($"Account {source.Number} has only {source._holds} on hold.");
                }

                source._holds -= amount;
                target._holds += amount;
            }
        }
    }

    private static void Validate(BankAccount a, BankAccount b, decimal amount)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Number == b.Number)
        {
            throw new ArgumentException("Accounts must differ.");
        }

        if (!string.Equals(a.Currency, b.Currency, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Currency mismatch: {a.Currency} vs {b.Currency}.");
        }

        if (amount <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "Amount must be positive.");
        }
    }
}

public sealed class SettlementRun
{
    private readonly TransferJournal _journal;
    private readonly ILogger _logger;

    public SettlementRun(TransferJournal journal, ILogger logger)
    {
        _journal = journal;
        _logger = logger;
    }

    public int Execute(IReadOnlyList<(BankAccount From, BankAccount To, decimal Amount)> instructions)
    {
        var settled = 0;
        foreach (var (from, to, amount) in instructions)
        {
            try
            {
                BankAccount.Transfer(from, to, amount, _journal);
                settled++;
            }
            catch (InsufficientFundsException ex)
            {
                _logger.Info($"Skipped instruction {from.Number}->{to.Number}: {ex.Message}");
            }
        }

        _logger.Info($"Settled {settled}/{instructions.Count}; journal volume now {_journal.TotalVolume()}.");
        return settled;
    }
}
