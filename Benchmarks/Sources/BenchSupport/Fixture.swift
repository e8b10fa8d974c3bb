import Synchronization

/// Hands what a benchmark's `setup` built (an open log, its directory) to the measured
/// closure and to `teardown`, which run as separate closures.
public final class Fixture<Value: Sendable>: Sendable {
    private let slot = Mutex<Value?>(nil)

    public init() {}

    /// The value `setup` stored; traps if setup has not run, which is a harness bug.
    public var value: Value {
        guard let value = slot.withLock({ $0 }) else { preconditionFailure("benchmark fixture used before setup") }
        return value
    }

    /// Stores `value` (setup) or clears it (teardown, `nil`).
    public func set(_ value: Value?) {
        slot.withLock { $0 = value }
    }

    /// Clears the slot and returns what it held.
    public func take() -> Value? {
        slot.withLock { slot in
            defer { slot = nil }
            return slot
        }
    }
}
