/// A background task of the store that failed on one partition: what a ``Store`` hands
/// to its `onMaintenanceFailure` observer.
///
/// The store goes on with the other partitions and tries the failed one again at the
/// next run; the observer is where an application logs and counts the failure, since
/// the storage core does neither.
public struct MaintenanceFailure: Sendable, CustomStringConvertible {
    /// The kinds of background work the store does per partition.
    public enum Task: String, Sendable, Hashable {
        /// Deleting segments past the topic's retention (``Store/enforceRetention()``).
        case retention
        /// Compacting a partition by key (``Store/runCleaner()``, ``LogCleaner``).
        case compaction
    }

    /// The partition it failed on.
    public var partition: TopicPartition
    /// What was being done.
    public var task: Task
    /// Why it failed: normally a ``BasaltError`` naming the file and system call.
    public var error: any Error

    /// Creates a failure report.
    public init(partition: TopicPartition, task: Task, error: any Error) {
        self.partition = partition
        self.task = task
        self.error = error
    }

    /// `retention failed on orders-2: unlink failed on …`.
    public var description: String { "\(task.rawValue) failed on \(partition): \(error)" }
}
