using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace Corpus.Locks2.HotelBooking;

public interface IHotelLogger
{
    void Info(string message);
    void Warn(string message);
}

public sealed record StayRange(DateOnly CheckIn, DateOnly CheckOut)
{
    public int Nights => CheckOut.DayNumber - CheckIn.DayNumber;

    public bool Overlaps(StayRange other) => CheckIn < other.CheckOut && other.CheckIn < CheckOut;
}

public sealed record Booking(Guid Id, string Guest, StayRange Stay);

public sealed record WaitlistRequest(string Guest, int RoomNumber, StayRange Stay);

public sealed class Room(int number, string category)
{
    internal readonly object Gate = new();
    private readonly List<Booking> _bookings = new();

    public int Number { get; } = number;

    public string Category { get; } = category;

    // The members below assume the caller holds Gate.
    internal int BookedNights => _bookings.Sum(b => b.Stay.Nights);

    internal bool IsFree(StayRange stay) => _bookings.TrueForAll(b => !b.Stay.Overlaps(stay));

    internal Booking? Find(Guid bookingId) => _bookings.Find(b => b.Id == bookingId);

    internal void Add(Booking booking) => _bookings.Add(booking);

    internal bool Remove(Booking booking) => _bookings.Remove(booking);
}

public sealed class HotelBookingService
{
    private const int MaxWaitlist = 500;

    private readonly Dictionary<int, Room> _rooms;
    private readonly object _waitlistSync = new();
    private readonly List<WaitlistRequest> _waitlist = new();
    private readonly IHotelLogger _log;

    public HotelBookingService(IEnumerable<Room> rooms, IHotelLogger log)
    {
        _rooms = rooms.ToDictionary(r => r.Number);
        _log = log ?? throw new ArgumentNullException(nameof(log));
    }

    public Booking Book(int roomNumber, string guest, StayRange stay)
    {
        Validate(guest, stay);
        var room = RequireRoom(roomNumber);
        lock (room.Gate)
        {
            if (!room.IsFree(stay))
            {
                throw new InvalidOperationException($"Room {roomNumber} is not free from {stay.CheckIn} to {stay.CheckOut}.");
            }

            var booking = new Booking(Guid.NewGuid(), guest, stay);
            room.Add(booking);
            return booking;
        }
    }

    public void JoinWaitlist(WaitlistRequest request)
    {
        Validate(request.Guest, request.Stay);
        RequireRoom(request.RoomNumber);
        lock (_waitlistSync)
        {
            if (_waitlist.Count >= MaxWaitlist)
            {
                throw new InvalidOperationException("The waitlist is full.");
            }

            _waitlist.Add(request);
        }
    }

    public bool Cancel(int roomNumber, Guid bookingId)
    {
        var room = RequireRoom(roomNumber);
        WaitlistRequest? promoted = null;
        lock (room.Gate)
        {
            var booking = room.Find(bookingId);
            if (booking is null || !room.Remove(booking))
            {
                return false;
            }

            // Lock order everywhere in this service: room gate first, then the waitlist.
            lock (_waitlistSync)
            {
                var index = _waitlist.FindIndex(w => w.RoomNumber == roomNumber && room.IsFree(w.Stay));
                if (index >= 0)
                {
                    promoted = _waitlist[index];
                    _waitlist.RemoveAt(index);
                }
            }

            if (promoted is not null)
            {
                room.Add(new Booking(Guid.NewGuid(), promoted.Guest, promoted.Stay));
            }
        }

        if (promoted is not null)
        {
            _log.Info($"Room {roomNumber}: promoted {promoted.Guest} from the waitlist.");
        }

        return true;
    }

    public void MoveBooking(int fromNumber, int toNumber, Guid bookingId)
    {
        var from = RequireRoom(fromNumber);
        var to = RequireRoom(toNumber);
        if (from.Number < to.Number)
        {
            lock (from.Gate)
            {
                lock (to.Gate)
                {
                    MoveUnderLocks(from, to, bookingId);
                }
            }

            return;
        }

        if (from.Number > to.Number)
        {
            lock (to.Gate)
            {
                lock (from.Gate)
                {
                    MoveUnderLocks(from, to, bookingId);
                }
            }

            return;
        }

        throw new ArgumentException("A booking cannot be moved to the room it is already in.", nameof(toNumber));
    }

    public void SwapGuests(int leftNumber, Guid leftBooking, int rightNumber, Guid rightBooking)
    {
        var left = RequireRoom(leftNumber);
        var right = RequireRoom(rightNumber);
        if (ReferenceEquals(left, right))
        {
            throw new ArgumentException("Pick two different rooms.", nameof(rightNumber));
        }

        var first = left.Number < right.Number ? left : right;
        var second = left.Number < right.Number ? right : left;
        lock (first.Gate)
        {
            lock (second.Gate)
            {
                var a = left.Find(leftBooking) ?? throw new KeyNotFoundException($"Booking {leftBooking} not found.");
                var b = right.Find(rightBooking) ?? throw new KeyNotFoundException($"Booking {rightBooking} not found.");
                left.Remove(a);
                right.Remove(b);
                left.Add(a with { Guest = b.Guest });
                right.Add(b with { Guest = a.Guest });
            }
        }

        _log.Info($"Swapped guests between rooms {leftNumber} and {rightNumber}.");
    }

    // Night audit: never blocks on a busy room, it just reports it as skipped.
    public (int Audited, int Skipped, int Waiting) AuditOccupancy()
    {
        var audited = 0;
        var skipped = 0;
        var nights = 0;
        lock (_waitlistSync)
        {
            foreach (var room in _rooms.Values)
            {
                if (!Monitor.TryEnter(room.Gate, TimeSpan.FromMilliseconds(25)))
                {
                    skipped++;
                    continue;
                }

                try
                {
                    nights += room.BookedNights;
                    audited++;
                }
                finally
                {
                    Monitor.Exit(room.Gate);
                }
            }

            _log.Info($"Audit: {audited} room(s), {nights} booked night(s), {skipped} busy, {_waitlist.Count} waiting.");
            return (audited, skipped, _waitlist.Count);
        }
    }

    private static void MoveUnderLocks(Room from, Room to, Guid bookingId)
    {
        var booking = from.Find(bookingId) ?? throw new KeyNotFoundException($"Booking {bookingId} not found in room {from.Number}.");
        if (!to.IsFree(booking.Stay))
        {
            throw new InvalidOperationException($"Room {to.Number} is not free for {booking.Guest}.");
        }

        from.Remove(booking);
        to.Add(booking);
    }

    private Room RequireRoom(int number) =>
        _rooms.TryGetValue(number, out var room) ? room : throw new KeyNotFoundException($"Unknown room {number}.");

    private static void Validate(string guest, StayRange stay)
    {
        if (string.IsNullOrWhiteSpace(guest))
        {
            throw new ArgumentException("Guest name is required.", nameof(guest));
        }

        if (stay.Nights <= 0)
        {
            throw new ArgumentException("Check-out must be after check-in.", nameof(stay));
        }
    }
}
