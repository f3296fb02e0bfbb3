using System;
using System.Collections.Generic;
using System.Linq;

namespace Corpus.Locks2.WarehouseRobots;

public interface IFleetLogger
{
    void Info(string message);
    void Warn(string message);
}

public enum RobotState { Idle, Picking, Charging }

public sealed record PickTask(string OrderId, string Sku, int Aisle, int Quantity);

public sealed class RobotStatus(string id)
{
    public string Id { get; } = id;
    public RobotState State { get; set; } = RobotState.Idle;
    public PickTask? Current { get; set; }
    public int BatteryPercent { get; set; } = 100; // updated by the telemetry feed (not shown)
}

// Pending pick tasks and the robot registry.
public sealed partial class PickCoordinator
{
    private const int MinimumBatteryForPick = 20;
    private readonly object _taskSync = new();
    private readonly object _robotSync = new();
    private readonly Queue<PickTask> _pending = new();
    private readonly Dictionary<string, RobotStatus> _robots = new(StringComparer.Ordinal);
    private readonly IFleetLogger _log;

    public PickCoordinator(IFleetLogger log, IEnumerable<string> robotIds, IEnumerable<(string DockId, int Aisle)> docks)
    {
        _log = log ?? throw new ArgumentNullException(nameof(log));
        foreach (var id in robotIds) _robots[id] = new RobotStatus(id);
        foreach (var (dockId, aisle) in docks) _docks[dockId] = new Dock(dockId, aisle);
    }

    public void Submit(PickTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(task.Quantity);
        lock (_taskSync)
        {
            _pending.Enqueue(task);
        }
    }

    public int AssignPendingTasks()
    {
        var assignments = new List<(string RobotId, PickTask Task)>();
        lock (_taskSync)
        {
            while (_pending.Count > 0)
            {
                var robotId = ClaimIdleRobot(_pending.Peek()); // expect: CONC030
                if (robotId is null)
                {
                    break;
                }

                assignments.Add((robotId, _pending.Dequeue()));
            }
        }

        foreach (var (robotId, task) in assignments)
        {
            if (!StartRoute(robotId, task))
            {
                RequeueTask(task);
            }
        }

        return assignments.Count;
    }

    private string? ClaimIdleRobot(PickTask task)
    {
        lock (_robotSync)
        {
            var robot = _robots.Values
                .Where(r => r.State == RobotState.Idle && r.BatteryPercent >= MinimumBatteryForPick)
                .OrderByDescending(r => r.BatteryPercent)
                .FirstOrDefault();
            if (robot is null)
            {
                return null;
            }

            robot.State = RobotState.Picking;
            robot.Current = task;
            return robot.Id;
        }
    }

    private bool StartRoute(string robotId, PickTask task)
    {
        lock (_robotSync)
        {
            if (!_robots.TryGetValue(robotId, out var robot))
            {
                throw new InvalidOperationException($"Unknown robot '{robotId}'.");
            }

            lock (_aisleSync) // expect: CONC030
            {
                if (_closedAisles.Contains(task.Aisle) || _aisleOwners.ContainsKey(task.Aisle))
                {
                    robot.State = RobotState.Idle;
                    robot.Current = null;
                    _log.Info($"Aisle {task.Aisle} unavailable, {robotId} stays idle.");
                    return false;
                }

                _aisleOwners[task.Aisle] = robotId;
            }

            return true;
        }
    }

    private void RequeueTask(PickTask task)
    {
        lock (_taskSync)
        {
            _pending.Enqueue(task);
        }

        _log.Info($"Order {task.OrderId} ({task.Sku}) requeued.");
    }
}

// Aisle reservations and charging docks.
public sealed partial class PickCoordinator
{
    private readonly object _aisleSync = new();
    private readonly object _dockSync = new();
    private readonly Dictionary<int, string> _aisleOwners = new();
    private readonly HashSet<int> _closedAisles = new();
    private readonly Dictionary<string, Dock> _docks = new(StringComparer.Ordinal);

    public void CompletePick(string robotId, int aisle)
    {
        lock (_aisleSync)
        {
            if (_aisleOwners.TryGetValue(aisle, out var owner) && owner == robotId)
            {
                _aisleOwners.Remove(aisle);
            }
        }

        lock (_robotSync)
        {
            if (_robots.TryGetValue(robotId, out var robot))
            {
                robot.State = RobotState.Idle;
                robot.Current = null;
            }
        }
    }

    public void CloseAisleForMaintenance(int aisle, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        lock (_aisleSync)
        {
            if (!_closedAisles.Add(aisle))
            {
                return; // already closed
            }

            if (_aisleOwners.TryGetValue(aisle, out var owner))
            {
                _log.Warn($"Aisle {aisle} closed ({reason}) while {owner} is still inside.");
            }

            lock (_dockSync) // expect: CONC030
            {
                foreach (var dock in _docks.Values.Where(d => d.Aisle == aisle))
                {
                    dock.Enabled = false;
                }
            }
        }
    }

    public void ReopenAisle(int aisle)
    {
        lock (_aisleSync)
        {
            _closedAisles.Remove(aisle);
        }

        lock (_dockSync)
        {
            foreach (var dock in _docks.Values.Where(d => d.Aisle == aisle && !d.Faulted))
            {
                dock.Enabled = true;
            }
        }
    }

    public string? ReserveDock(string robotId, PickTask? carrying)
    {
        lock (_dockSync)
        {
            var dock = _docks.Values.FirstOrDefault(d => d.Enabled && d.OccupiedBy is null);
            if (dock is null) return null;

            dock.OccupiedBy = robotId;
            dock.ReservedTask = carrying;
            return dock.Id;
        }
    }

    public void OnDockFault(string dockId)
    {
        lock (_dockSync)
        {
            if (!_docks.TryGetValue(dockId, out var dock))
            {
                _log.Warn($"Fault reported for unknown dock '{dockId}'.");
                return;
            }

            dock.Enabled = false;
            dock.Faulted = true;
            var stranded = dock.ReservedTask;
            dock.ReservedTask = null;
            dock.OccupiedBy = null;
            if (stranded is not null)
            {
                RequeueTask(stranded); // expect: CONC030
            }
        }
    }

    private sealed class Dock(string id, int aisle)
    {
        public string Id { get; } = id;
        public int Aisle { get; } = aisle;
        public bool Enabled { get; set; } = true;
        public bool Faulted { get; set; }
        public string? OccupiedBy { get; set; }
        public PickTask? ReservedTask { get; set; }
    }
}
