import Synchronization
import Testing
@testable import Basalt

/// The store-wide waiter registry: a waiter wakes on a change of any of its logs, only of
/// its logs, and never misses a change made between its mark and its park. No sleeps: a
/// test knows a waiter is parked from ``DataSignal/parkedWaiters``, and a woken waiter is
/// removed from the registry by the change itself, before the change's call returns.
@Suite struct DataSignalTests {
    static func config() -> LogConfig {
        var config = LogConfig()
        config.durability = .os
        return config
    }

    /// Far enough that reaching it means a lost wake-up, not a slow machine.
    static let farDeadline: Duration = .seconds(600)

    /// Parks a waiter on `logs`; returns once it is parked. `wakes` counts its returns.
    static func park(_ logs: [PartitionLog], on signal: DataSignal, wakes: Wakes) async -> Task<Void, Never> {
        let parkedBefore = signal.parkedWaiters
        let mark = signal.mark(logs)
        let deadline = ContinuousClock.now + farDeadline
        let waiter = Task {
            await signal.wait(for: logs, since: mark, until: deadline)
            wakes.count.add(1, ordering: .relaxed)
        }
        while signal.parkedWaiters <= parkedBefore { await Task.yield() }
        return waiter
    }

    final class Wakes: Sendable {
        let count = Atomic<Int>(0)
    }

    /// (a) A waiter over partitions of two topics wakes on an append to either.
    @Test func waiterOnSeveralTopicsWakesOnAnAppendToAnyOfThem() async throws {
        let directory = TemporaryDirectory()
        let store = try Store(directory: directory.path, defaultConfig: Self.config(), retentionCheckInterval: nil)
        let a = try store.createTopic("a", partitions: 2).partition(1)
        let b = try store.createTopic("b", partitions: 3).partition(2)
        let start = ContinuousClock.now
        let wakes = Wakes()
        let waiter = await Self.park([a, b], on: store.signal, wakes: wakes)
        try await b.append([Record(value: [1])])
        #expect(store.signal.parkedWaiters == 0)
        await waiter.value
        #expect(wakes.count.load(ordering: .relaxed) == 1)
        // Woken, not timed out: the deadline is 600 s away.
        #expect(ContinuousClock.now - start < .seconds(300))
        try store.close()
    }

    /// (b) A waiter on A is not woken by appends to other partitions, of its topic or of
    /// another: each change wakes only the waiters of its own log.
    @Test func waiterIsNotWokenByAppendsToOtherPartitions() async throws {
        let directory = TemporaryDirectory()
        let store = try Store(directory: directory.path, defaultConfig: Self.config(), retentionCheckInterval: nil)
        let topicA = try store.createTopic("a", partitions: 2)
        let a = try topicA.partition(0)
        let sibling = try topicA.partition(1)
        let c = try store.createTopic("c", partitions: 1).partition(0)
        let wakes = Wakes()
        let waiter = await Self.park([a], on: store.signal, wakes: wakes)
        for round in 0..<50 {
            try await c.append([Record(value: [UInt8(round)])])
            try await sibling.append([Record(value: [UInt8(round)])])
            c.wakeWaiters()
        }
        try c.truncate(to: 10)
        // Every change above was reported before its call returned; a woken waiter leaves
        // the registry inside that report. So it is still parked, and never returned.
        #expect(store.signal.parkedWaiters == 1)
        #expect(wakes.count.load(ordering: .relaxed) == 0)
        try await a.append([Record(value: [9])])
        await waiter.value
        #expect(wakes.count.load(ordering: .relaxed) == 1)
        #expect(store.signal.parkedWaiters == 0)
        try store.close()
    }

    /// (c) A change racing the registration is never lost: in each round the change is
    /// made after the mark, by another task, at a seeded random moment relative to the
    /// waiter's park, and the wait must return before its far deadline.
    @Test func changeRacingTheRegistrationIsNeverLost() async throws {
        let directory = TemporaryDirectory()
        let store = try Store(directory: directory.path, defaultConfig: Self.config(), retentionCheckInterval: nil)
        let topic = try store.createTopic("race", partitions: 3)
        let logs = topic.partitions
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SplitMix64(seed: seed)
        for round in 0..<2_000 {
            let watched = Array(logs.prefix(Int(random.next() % 3) + 1))
            let changed = watched[Int(random.next() % UInt64(watched.count))]
            let changerYields = Int(random.next() % 16)
            let waiterYields = Int(random.next() % 16)
            let appends = round % 100 == 0
            let mark = store.signal.mark(watched)
            // Two minutes: a lost wake-up fails the test in that time, not in ten.
            let deadline = ContinuousClock.now + .seconds(120)
            let changer = Task.detached {
                for _ in 0..<changerYields { await Task.yield() }
                if appends {
                    _ = try? await changed.append([Record(value: [1])])
                } else {
                    changed.wakeWaiters()
                }
            }
            for _ in 0..<waiterYields { await Task.yield() }
            await store.signal.wait(for: watched, since: mark, until: deadline)
            let woken = ContinuousClock.now < deadline
            #expect(woken, "wake-up lost in round \(round), seed \(seed)")
            await changer.value
            if !woken { break }
        }
        #expect(store.signal.parkedWaiters == 0)
        try store.close()
    }

    /// A shutdown's `wakeAll` wakes parked waiters, and one whose mark came before it does
    /// not park.
    @Test func wakeAllWakesParkedWaitersAndThoseMarkedBefore() async throws {
        let directory = TemporaryDirectory()
        let store = try Store(directory: directory.path, defaultConfig: Self.config(), retentionCheckInterval: nil)
        let log = try store.createTopic("t").partition(0)
        let wakes = Wakes()
        let parked = await Self.park([log], on: store.signal, wakes: wakes)
        let lateMark = store.signal.mark([log])
        store.signal.wakeAll()
        await parked.value
        let start = ContinuousClock.now
        await store.signal.wait(for: [log], since: lateMark, until: start + Self.farDeadline)
        #expect(ContinuousClock.now - start < .seconds(300))
        #expect(wakes.count.load(ordering: .relaxed) == 1)
        try store.close()
    }

    /// A log opened on its own has its own signal, and waits on it as before.
    @Test func standaloneLogHasItsOwnSignal() async throws {
        let directory = TemporaryDirectory()
        let first = try PartitionLog(directory: directory.child("x-0"), config: Self.config())
        let second = try PartitionLog(directory: directory.child("y-0"), config: Self.config())
        #expect(first.signal !== second.signal)
        let waiter = Task { await first.waitForData(after: 0, timeout: Self.farDeadline) }
        while first.signal.parkedWaiters < 1 { await Task.yield() }
        try await second.append([Record(value: [1])])
        #expect(first.signal.parkedWaiters == 1)
        try await first.append([Record(value: [1])])
        #expect(await waiter.value)
        try first.close()
        try second.close()
    }
}

/// Deterministic RNG (SplitMix64), so a failing round reproduces from the printed seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
