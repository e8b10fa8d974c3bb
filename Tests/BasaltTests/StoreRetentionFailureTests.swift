import Foundation
import Glibc
import Synchronization
import Testing
@testable import Basalt

/// Retention that fails on one partition is reported for that partition and does not
/// stop retention of the others, whether it runs in the background or on request.
@Suite struct StoreRetentionFailureTests {
    /// The system's file I/O, except that once armed, replacing partition `a-0`'s
    /// checkpoint fails with `EIO` (retention records the raised log start offset there
    /// before it deletes segments).
    final class CheckpointFailingFileIO: FileIO {
        let armed = Atomic<Bool>(false)
        private let system = SystemFileIO()

        func open(_ path: String, flags: Int32, mode: UInt32) throws(Errno) -> Int32 {
            if armed.load(ordering: .acquiring), flags & O_CREAT != 0,
               path.hasSuffix("/a-0/" + PartitionCheckpoint.temporaryFileName) {
                throw Errno.io
            }
            return try system.open(path, flags: flags, mode: mode)
        }
        func close(_ descriptor: Int32) { system.close(descriptor) }
        func pwrite(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
            try system.pwrite(descriptor, bytes, at: offset)
        }
        func pread(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
            try system.pread(descriptor, into: buffer, at: offset)
        }
        func fdatasync(_ descriptor: Int32) throws(Errno) { try system.fdatasync(descriptor) }
        func fsync(_ descriptor: Int32) throws(Errno) { try system.fsync(descriptor) }
        func ftruncate(_ descriptor: Int32, length: Int64) throws(Errno) { try system.ftruncate(descriptor, length: length) }
        func allocate(_ descriptor: Int32, length: Int64) throws(Errno) { try system.allocate(descriptor, length: length) }
        func rename(_ from: String, to: String) throws(Errno) { try system.rename(from, to: to) }
        func unlink(_ path: String) throws(Errno) { try system.unlink(path) }
    }

    /// A clock the test moves by hand.
    final class ManualClock: Sendable {
        let now = Atomic<Int64>(1_700_000_000_000)
        var read: @Sendable () -> Int64 { { self.now.load(ordering: .acquiring) } }
    }

    static func config() -> LogConfig {
        var config = StoreTests.config()
        config.segmentBytes = 1024
        config.retentionMs = 60_000
        return config
    }

    /// Topics `a` and `b`, several segments each, nothing expired yet.
    static func fill(_ store: Store) async throws {
        for name in ["a", "b"] {
            let topic = try store.createTopic(name)
            for index in 0..<40 {
                try await topic.append([Record(value: Array("record \(index) ".utf8) + [UInt8](repeating: 1, count: 60))], partition: 0)
            }
            #expect(try topic.partition(0).segmentCount > 2)
        }
    }

    static func expectRetained(_ store: Store, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let b = try store.topic("b").partition(0)
        #expect(b.segmentCount == 1, sourceLocation: sourceLocation)
        #expect(b.logStartOffset > 0, sourceLocation: sourceLocation)
        // Nothing changed in `a`: the next run tries the same segments again.
        let a = try store.topic("a").partition(0)
        #expect(a.logStartOffset == 0, sourceLocation: sourceLocation)
        #expect(a.segmentCount > 2, sourceLocation: sourceLocation)
    }

    @Test func onePartitionFailingDoesNotStopTheOthers() async throws {
        let directory = TemporaryDirectory()
        let io = CheckpointFailingFileIO()
        let clock = ManualClock()
        let failures = Mutex<[MaintenanceFailure]>([])
        let store = try Store(directory: directory.path, defaultConfig: Self.config(), retentionCheckInterval: nil, io: io,
                              clock: clock.read, onMaintenanceFailure: { failure in failures.withLock { $0.append(failure) } })
        try await Self.fill(store)
        io.armed.store(true, ordering: .releasing)
        clock.now.add(3_600_000, ordering: .releasing)
        #expect(throws: BasaltError.self) { try store.enforceRetention() }
        let reported = failures.withLock { $0 }
        #expect(reported.map(\.partition) == [TopicPartition(topic: "a", partition: 0)])
        #expect(reported.first?.task == .retention)
        let message = reported.first.map { "\($0.error)" } ?? ""
        #expect(message.contains("a-0/partition.checkpoint.tmp"))
        try Self.expectRetained(store)
        io.armed.store(false, ordering: .releasing)
        try store.close()
    }

    @Test(.timeLimit(.minutes(1))) func backgroundRetentionReportsEveryFailureAndGoesOn() async throws {
        let directory = TemporaryDirectory()
        let io = CheckpointFailingFileIO()
        let clock = ManualClock()
        let (reports, continuation) = AsyncStream.makeStream(of: MaintenanceFailure.self)
        let store = try Store(directory: directory.path, defaultConfig: Self.config(), retentionCheckInterval: .milliseconds(5),
                              io: io, clock: clock.read, onMaintenanceFailure: { continuation.yield($0) })
        try await Self.fill(store)
        io.armed.store(true, ordering: .releasing)
        clock.now.add(3_600_000, ordering: .releasing)
        // `a` fails in every run; its second report means the run that made the first
        // one went on to `b`.
        var iterator = reports.makeAsyncIterator()
        for _ in 0..<2 {
            let failure = await iterator.next()
            #expect(failure?.partition == TopicPartition(topic: "a", partition: 0))
        }
        try Self.expectRetained(store)
        io.armed.store(false, ordering: .releasing)
        try store.close()
        continuation.finish()
    }
}
