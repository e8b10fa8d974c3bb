import Dispatch

/// A topic name held by a ``Store/createTopic(_:partitions:config:)`` or
/// ``Store/deleteTopic(_:)`` while it does its disk I/O outside the store's topics lock.
///
/// Lookups of any name never wait for it: a topic being created is not a topic yet, one
/// being deleted is no longer one. Another create or delete of the same name, and
/// ``Store/close()``, block on it until it is finished, so calls on one name act one
/// after another as they did when the whole creation ran under the lock.
final class TopicReservation: Sendable {
    /// Signalled once by the holder; each waiter passes the signal on to the next.
    private let finished = DispatchSemaphore(value: 0)

    init() {}

    /// Called once by the holder, after the name was released (the topic published,
    /// removed, or the creation abandoned).
    func finish() { finished.signal() }

    /// Blocks the calling thread until ``finish()``. Any number of callers may wait.
    func waitUntilFinished() {
        finished.wait()
        finished.signal()
    }
}
