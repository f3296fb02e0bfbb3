using System;
using System.Collections.Generic;
using System.Globalization;

namespace Corpus.Locks2.BankAtmNetwork;

public interface IAtmLogger
{
    void Info(string message);

    void Warn(string message);
}

public sealed class InsufficientFundsException : Exception
{
    public InsufficientFundsException(string accountNumber, decimal requested, decimal available)
        : base(string.Format(
            CultureInfo.InvariantCulture,
            "Account {0} cannot cover {1:0.00} (available {2:0.00}).",
            accountNumber,
            requested,
            available))
    {
        AccountNumber = accountNumber;
    }

    public string AccountNumber { get; }
}

public sealed record LedgerEntry(long Sequence, string AccountNumber, decimal Delta, string Reason, DateTimeOffset At);

public sealed class Account
{
    internal readonly object Gate = new();
    private decimal _balance;

    public Account(long id, string number, decimal openingBalance)
    {
        if (string.IsNullOrWhiteSpace(number))
        {
            throw new ArgumentException("Account number is required.", nameof(number));
        }

        Id = id;
        Number = number;
        _balance = openingBalance;
    }

    public long Id { get; }

    public string Number { get; }

    // Callers must hold Gate.
    internal decimal BalanceUnderGate => _balance;

    // Callers must hold Gate.
    internal void Debit(decimal amount)
    {
        if (amount > _balance)
        {
            throw new InsufficientFundsException(Number, amount, _balance);
        }

        _balance -= amount;
    }

    // Callers must hold Gate.
    internal void Credit(decimal amount) => _balance += amount;
}

public sealed class AtmNetwork
{
    private const decimal DailyAtmLimit = 1_000m;

    private readonly object _accountsSync = new();
    private readonly object _ledgerSync = new();
    private readonly Dictionary<string, Account> _accounts = new(StringComparer.Ordinal);
    private readonly List<LedgerEntry> _ledger = new();
    private readonly IAtmLogger _log;
    private long _nextSequence;

    public AtmNetwork(IAtmLogger log)
    {
        _log = log ?? throw new ArgumentNullException(nameof(log));
    }

    public Account Open(long id, string number, decimal openingBalance)
    {
        var account = new Account(id, number, openingBalance);
        lock (_accountsSync)
        {
            if (_accounts.ContainsKey(number))
            {
                throw new InvalidOperationException($"Account {number} already exists.");
            }

            _accounts.Add(number, account);
        }

        AppendLedger(number, openingBalance, "Account opened");
        return account;
    }

    public Account Require(string number) =>
        Find(number) ?? throw new KeyNotFoundException($"No account with number {number}.");

    public decimal Withdraw(Account account, decimal amount, string atmId)
    {
        ValidateAmount(amount);
        if (amount > DailyAtmLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), $"ATM withdrawals are limited to {DailyAtmLimit}.");
        }

        decimal remaining;
        lock (account.Gate)
        {
            account.Debit(amount);
            remaining = account.BalanceUnderGate;
        }

        AppendLedger(account.Number, -amount, $"Withdrawal at {atmId}");
        return remaining;
    }

    public void Transfer(Account from, Account to, decimal amount)
    {
        ValidateAmount(amount);
        if (ReferenceEquals(from, to))
        {
            throw new ArgumentException("Source and destination accounts must differ.", nameof(to));
        }

        var first = from.Id < to.Id ? from : to;
        var second = from.Id < to.Id ? to : from;
        lock (first.Gate)
        {
            lock (second.Gate)
            {
                from.Debit(amount);
                to.Credit(amount);
            }
        }

        AppendLedger(from.Number, -amount, $"Transfer to {to.Number}");
        AppendLedger(to.Number, amount, $"Transfer from {from.Number}");
    }

    // Lobby kiosks only move money from a customer's checking to their own savings,
    // so the id ordering used by Transfer was considered unnecessary here.
    public void KioskTransfer(Account checking, Account savings, decimal amount)
    {
        ValidateAmount(amount);
        lock (checking.Gate)
        {
            lock (savings.Gate) // expect: CONC030
            {
                checking.Debit(amount);
                savings.Credit(amount);
            }
        }

        AppendLedger(checking.Number, -amount, "Kiosk transfer out");
        AppendLedger(savings.Number, amount, "Kiosk transfer in");
    }

    public void ApplyMonthlyFee(Account account, decimal fee)
    {
        ValidateAmount(fee);
        lock (account.Gate)
        {
            var charged = Math.Min(fee, account.BalanceUnderGate);
            if (charged < fee)
            {
                _log.Warn($"Account {account.Number} could only cover {charged} of the {fee} fee.");
            }

            account.Debit(charged);
            AppendLedger(account.Number, -charged, "Monthly maintenance fee"); // expect: CONC030
        }
    }

    public IReadOnlyList<string> Reconcile()
    {
        var mismatches = new List<string>();
        lock (_ledgerSync)
        {
            var totals = new Dictionary<string, decimal>(StringComparer.Ordinal);
            foreach (var entry in _ledger)
            {
                totals[entry.AccountNumber] = totals.TryGetValue(entry.AccountNumber, out var sum)
                    ? sum + entry.Delta
                    : entry.Delta;
            }

            foreach (var (number, expected) in totals)
            {
                var account = Find(number);
                if (account is null)
                {
                    mismatches.Add($"{number}: ledger entries for an unknown account");
                    continue;
                }

                lock (account.Gate) // expect: CONC030
                {
                    if (account.BalanceUnderGate != expected)
                    {
                        mismatches.Add($"{number}: ledger says {expected}, balance is {account.BalanceUnderGate}");
                    }
                }
            }
        }

        _log.Info($"Reconciliation finished with {mismatches.Count} mismatch(es).");
        return mismatches;
    }

    private void AppendLedger(string accountNumber, decimal delta, string reason)
    {
        lock (_ledgerSync)
        {
            _nextSequence++;
            _ledger.Add(new LedgerEntry(_nextSequence, accountNumber, delta, reason, DateTimeOffset.UtcNow));
        }
    }

    private Account? Find(string number)
    {
        lock (_accountsSync)
        {
            return _accounts.TryGetValue(number, out var account) ? account : null;
        }
    }

    private static void ValidateAmount(decimal amount)
    {
        if (amount <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), "Amount must be positive.");
        }
    }
}
