using System;
using System.Collections.Generic;
using System.Linq;

namespace Corpus.Locks.LedgerTransfer;

public interface ILogger
{
    void Info(string message);
    void Warn(string message, Exception? error = null);
}

public sealed class InsufficientFundsException : Exception
{
    public InsufficientFundsException(string accountId, decimal requested, decimal available)
        : base($"Account '{accountId}' has {available} available but {requested} was requested.")
    {
        AccountId = accountId;
    }

    public string AccountId { get; }
}

public sealed class AccountFrozenException : InvalidOperationException
{
    public AccountFrozenException(string accountId)
        : base($"Account '{accountId}' is frozen.")
    {
    }
}

public sealed record JournalEntry(long Sequence, string AccountId, decimal Delta, string Memo, DateTimeOffset RecordedAt);

public sealed class Account
{
    private readonly object _sync = new();
    private readonly Ledger _ledger;
    private decimal _balance;
    private bool _frozen;

    public Account(string id, decimal openingBalance, Ledger ledger)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ArgumentException("Account id is required.", nameof(id));
        }

        if (openingBalance < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(openingBalance), openingBalance, "Opening balance cannot be negative.");
        }

        Id = id;
        _balance = openingBalance;
        _ledger = ledger ?? throw new ArgumentNullException(nameof(ledger));
    }

    public string Id { get; }

    public decimal Balance
    {
        get
        {
            lock (_sync)
            {
                return _balance;
            }
        }
    }

    // The ledger calls this while it holds its journal lock so that a rejected
    // posting never reaches the journal.
    internal void Apply(decimal delta)
    {
        lock (_sync)
        {
            if (_frozen)
            {
                throw new AccountFrozenException(Id);
            }

            if (_balance + delta < 0)
            {
                throw new InsufficientFundsException(Id, -delta, _balance);
            }

            _balance += delta;
        }
    }

    public void Freeze(string reason)
    {
        lock (_sync)
        {
            if (_frozen)
            {
                return;
            }

            _frozen = true;
            _ledger.RecordAdministrativeAction(Id, "freeze: " + reason); // expect: CONC030
        }
    }

    public void Unfreeze()
    {
        lock (_sync)
        {
            _frozen = false;
        }

        _ledger.RecordAdministrativeAction(Id, "unfreeze");
    }

    /// <summary>Moves money between two accounts without going through the journal.</summary>
    public static void Transfer(Account from, Account to, decimal amount, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(logger);

        if (ReferenceEquals(from, to))
        {
            throw new ArgumentException("Source and destination accounts must differ.", nameof(to));
        }

        if (amount <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "Transfer amount must be positive.");
        }

        lock (from._sync)
        {
            lock (to._sync) // expect: CONC030
            {
                if (from._frozen)
                {
                    throw new AccountFrozenException(from.Id);
                }

                if (to._frozen)
                {
                    throw new AccountFrozenException(to.Id);
                }

                if (from._balance < amount)
                {
                    throw new InsufficientFundsException(from.Id, amount, from._balance);
                }

                from._balance -= amount;
                to._balance += amount;
            }
        }

        logger.Info($"Transferred {amount} from {from.Id} to {to.Id}.");
    }
}

public sealed class Ledger
{
    private readonly object _journalLock = new();
    private readonly List<JournalEntry> _journal = new();
    private readonly ILogger _logger;
    private long _sequence;

    public Ledger(ILogger logger)
    {
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    public void Post(Account account, decimal delta, string memo)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (delta == 0)
        {
            _logger.Warn($"Ignoring zero-value posting for {account.Id}.");
            return;
        }

        lock (_journalLock)
        {
            account.Apply(delta); // expect: CONC030
            _sequence++;
            _journal.Add(new JournalEntry(_sequence, account.Id, delta, memo, DateTimeOffset.UtcNow));
        }
    }

    internal void RecordAdministrativeAction(string accountId, string action)
    {
        lock (_journalLock)
        {
            _sequence++;
            _journal.Add(new JournalEntry(_sequence, accountId, 0m, action, DateTimeOffset.UtcNow));
        }

        _logger.Info($"Account {accountId}: {action}");
    }

    public IReadOnlyList<JournalEntry> EntriesFor(string accountId)
    {
        lock (_journalLock)
        {
            return _journal.Where(e => e.AccountId == accountId).ToList();
        }
    }

    public IReadOnlyList<string> BuildStatement(IEnumerable<Account> accounts)
    {
        Dictionary<string, decimal> netPostings;
        lock (_journalLock)
        {
            netPostings = _journal
                .GroupBy(e => e.AccountId)
                .ToDictionary(g => g.Key, g => g.Sum(e => e.Delta));
        }

        // Balances are read after the journal lock has been released.
        var lines = new List<string>();
        foreach (var account in accounts)
        {
            var posted = netPostings.TryGetValue(account.Id, out var net) ? net : 0m;
            lines.Add($"{account.Id}: balance {account.Balance}, net postings {posted}");
        }

        return lines;
    }
}
