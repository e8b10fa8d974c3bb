import BasaltTesting
import Dispatch
import Glibc
import Synchronization
import Testing
@testable import Basalt

/// `createTopic` and `deleteTopic` do their disk I/O outside the topics lock. A
/// ``GatedFileIO`` holds a creation inside its topic-file write, so each test knows where
/// the creator is without sleeping.
@Suite struct StoreTopicCreationTests {
    static func openStore(_ directory: TemporaryDirectory, io: GatedFileIO) throws -> Store {
        try Store(directory: directory.path, defaultConfig: StoreTests.config(), retentionCheckInterval: nil, io: io)
    }

    /// Holds the creation of `name` in its topic-file write; returns once it is held.
    static func holdCreation(_ name: String, partitions: Int32, in store: Store, io: GatedFileIO) -> Background<Topic> {
        io.hold(pathSuffix: "/topics/\(name).json.tmp")
        let creation = Background { try store.createTopic(name, partitions: partitions) }
        io.waitUntilHeld()
        return creation
    }

    @Test func lookupsOfOtherTopicsDoNotWaitForACreation() throws {
        let directory = TemporaryDirectory()
        let io = GatedFileIO()
        let store = try Self.openStore(directory, io: io)
        try store.createTopic("fast", partitions: 2)
        let creation = Self.holdCreation("slow", partitions: 3, in: store, io: io)
        // On another thread, so that a lookup blocked behind the creation fails the test
        // instead of hanging it (the creation is released only below).
        let lookup = Background { () throws -> [String] in
            _ = try store.topic("fast")
            return store.topicNames
        }
        #expect(try lookup.join().get() == ["fast"])
        // Not a topic until its file is written.
        #expect(throws: BasaltError.unknownTopic("slow")) { try store.topic("slow") }
        io.release()
        #expect(try creation.join().get().partitionCount == 3)
        #expect(try store.topic("slow").partitionCount == 3)
        #expect(store.topicNames == ["fast", "slow"])
        try store.close()
    }

    /// Two creates of one name: the second, made while the first is in its I/O, waits for
    /// it and finds the topic there. Exactly one succeeds.
    @Test func concurrentCreatesOfOneNameYieldExactlyOneSuccess() throws {
        let directory = TemporaryDirectory()
        let io = GatedFileIO()
        let store = try Self.openStore(directory, io: io)
        let first = Self.holdCreation("t", partitions: 2, in: store, io: io)
        let second = Background { try store.createTopic("t", partitions: 5) }
        io.release()
        let outcomes = [first.join(), second.join()]
        #expect(outcomes.filter { (try? $0.get()) != nil }.count == 1)
        #expect(throws: BasaltError.topicExists("t")) { try second.join().get() }
        #expect(try store.topic("t").partitionCount == 2)
        try store.close()
    }

    /// Unheld, many rounds of two threads racing to create one name: one success each.
    @Test func racingCreatesYieldExactlyOneSuccessEachRound() throws {
        let directory = TemporaryDirectory()
        let store = try Self.openStore(directory, io: GatedFileIO())
        for round in 0..<40 {
            let name = "race-\(round)"
            let start = DispatchSemaphore(value: 0)
            let racers = (0..<2).map { _ in
                Background { () throws -> Topic in
                    start.wait()
                    return try store.createTopic(name, partitions: 2)
                }
            }
            start.signal()
            start.signal()
            let outcomes = racers.map { $0.join() }
            #expect(outcomes.filter { (try? $0.get()) != nil }.count == 1, "round \(round)")
            for outcome in outcomes {
                if case .failure(let error) = outcome { #expect(error as? BasaltError == .topicExists(name)) }
            }
        }
        try store.close()
    }

    /// A delete made while the topic is being created waits for the creation, then
    /// deletes what it created.
    @Test func deleteDuringACreationActsAfterIt() throws {
        let directory = TemporaryDirectory()
        let io = GatedFileIO()
        let store = try Self.openStore(directory, io: io)
        let creation = Self.holdCreation("t", partitions: 2, in: store, io: io)
        let deletion = Background { try store.deleteTopic("t") }
        io.release()
        let topic = try creation.join().get()
        try deletion.join().get()
        #expect(throws: BasaltError.unknownTopic("t")) { try store.topic("t") }
        #expect(topic.partitions.allSatisfy { $0.isClosed })
        #expect(!Directory.exists(directory.child("t-0")) && !Directory.exists(directory.child("t-1")))
        try store.close()
    }

    /// Close waits for a creation in progress, then closes the topic it created, so
    /// nothing writes in the directory after the store's lock is released.
    @Test func closeWaitsForACreationInProgress() throws {
        let directory = TemporaryDirectory()
        let io = GatedFileIO()
        do {
            let store = try Self.openStore(directory, io: io)
            let creation = Self.holdCreation("t", partitions: 2, in: store, io: io)
            let closing = Background { try store.close() }
            io.release()
            let topic = try creation.join().get()
            try closing.join().get()
            #expect(topic.partitions.allSatisfy { $0.isClosed })
            #expect(throws: BasaltError.closed) { try store.createTopic("later") }
        }
        let reopened = try Self.openStore(directory, io: io)
        #expect(try reopened.topic("t").partitionCount == 2)
        try reopened.close()
    }

    /// A creation that fails leaves no topic, no topic file and no partition directory,
    /// and the name can be created afterwards.
    @Test(arguments: ["/topics/t.json.tmp", "/t-1/00000000000000000000.log"])
    func failedCreationLeavesNothingBehind(failingFile: String) throws {
        let directory = TemporaryDirectory()
        let io = GatedFileIO()
        let store = try Self.openStore(directory, io: io)
        io.fail(pathSuffix: failingFile, with: .noSpace)
        #expect(throws: BasaltError.self) { try store.createTopic("t", partitions: 3) }
        #expect(throws: BasaltError.unknownTopic("t")) { try store.topic("t") }
        for partition in 0..<3 { #expect(!Directory.exists(directory.child("t-\(partition)"))) }
        #expect(access(directory.child("topics/t.json"), F_OK) != 0)
        #expect(access(directory.child("topics/t.json.tmp"), F_OK) != 0)
        #expect(try store.createTopic("t", partitions: 3).partitionCount == 3)
        try store.close()
    }
}

/// Runs `body` on a Dispatch thread, outside Swift concurrency's pool.
final class Background<Value: Sendable>: Sendable {
    private let outcome = Mutex<Result<Value, any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () throws -> Value) {
        DispatchQueue.global().async {
            let result = Result { try body() }
            self.outcome.withLock { $0 = result }
            self.done.signal()
        }
    }

    /// What `body` returned or threw. A bound of two minutes turns a thread blocked
    /// forever (the bug these tests look for) into a failure rather than a hung run; it
    /// is never reached by a passing test.
    func join() -> Result<Value, any Error> {
        guard done.wait(timeout: .now() + .seconds(120)) == .success else {
            return .failure(BackgroundTimedOut())
        }
        done.signal()
        return outcome.withLock { $0 }!
    }
}

struct BackgroundTimedOut: Error {}
