import Foundation
import Glibc
import Testing
@testable import Basalt
import BasaltTesting

/// Opens a real store after one of its files was replaced by hostile bytes: truncated,
/// grown (once in a while to 10 MB), random, bit-flipped, or with integer fields set to
/// their extremes. The open, and reading what it opened, must return or throw a
/// ``BasaltError``: a trap kills the test process, so this test fails by crashing.
///
/// Seeded: the seed is printed; `BASALT_HOSTILE_SEED=<seed>` replays a run, and
/// `BASALT_HOSTILE_CASES=<n>` runs more cases.
@Suite struct StoreOpenHostileFilesTests {
    static func config() -> LogConfig {
        var config = LogConfig()
        config.durability = .os
        config.segmentBytes = 2048
        config.indexIntervalBytes = 200
        config.maxIndexBytes = 4096
        return config
    }

    /// A closed store: topic `t` with two partitions of a few segments each, idempotent
    /// batches with a producer-state snapshot, and the committed offsets of group `g`.
    static func makeTemplate(_ path: String) async throws {
        let store = try Store(directory: path, defaultConfig: config(), retentionCheckInterval: nil)
        let topic = try store.createTopic("t", partitions: 2)
        for partition in Int32(0)..<2 {
            let log = try topic.partition(partition)
            for batch in 0..<30 {
                let records = (0..<3).map { Record(key: Array("k\($0)".utf8), value: [UInt8](repeating: UInt8(batch), count: 40),
                                                   timestamp: 1_700_000_000_000 + Int64(batch)) }
                try await log.append(records, producer: .init(producerId: 7 + Int64(partition), producerEpoch: 0,
                                                              baseSequence: Int32(batch * 3)))
            }
            #expect(try ProducerStateTable.load(for: log).writeSnapshot(for: log))
        }
        try store.cursors.commit(group: "g", offsets: [TopicPartition(topic: "t", partition: 0): CommittedOffset(offset: 12, metadata: "m")])
        try store.close()
    }

    /// Every file of the store a damaged copy can have, relative to the store.
    static func targets(in path: String) throws -> [String] {
        var files = ["topics/t.json", "cursors/g.json"]
        for partition in ["t-0", "t-1"] {
            files += try FileManager.default.contentsOfDirectory(atPath: path + "/" + partition).sorted().map { partition + "/" + $0 }
        }
        return files
    }

    enum Damage: CaseIterable {
        case truncated, empty, grown, huge, random, bitFlips, extremeInteger, batchField
    }

    /// Byte positions of the batches in a segment's bytes, by their length fields.
    static func batchPositions(_ bytes: [UInt8]) -> [Int] {
        var positions: [Int] = []
        var position = 0
        while position + RecordBatchHeader.size <= bytes.count {
            positions.append(position)
            let length = bytes[(position + 8)..<(position + 12)].reduce(0) { $0 << 8 | Int($1) }
            guard length > 0 else { break }
            position += 12 + length
        }
        return positions
    }

    static func damaged(_ original: [UInt8], _ damage: Damage, _ random: inout SeededGenerator, isLog: Bool) -> [UInt8] {
        switch damage {
        case .batchField:
            // A header field of one batch set to an extreme: base offset (not covered by
            // the CRC), length, last offset delta or record count.
            let positions = isLog ? batchPositions(original) : []
            guard let batch = positions.randomElement(using: &random) else {
                return damaged(original, .extremeInteger, &random, isLog: isLog)
            }
            var bytes = original
            let fields: [(offset: Int, values: [[UInt8]])] = [
                (0, [[0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0x80, 0, 0, 0, 0, 0, 0, 0], [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0]]),
                (8, [[0x7f, 0xff, 0xff, 0xff], [0, 0, 0, 0]]), (23, [[0x7f, 0xff, 0xff, 0xff], [0xff, 0xff, 0xff, 0xff]]),
                (57, [[0x7f, 0xff, 0xff, 0xff], [0x80, 0, 0, 0]]),
            ]
            let field = fields[Int.random(in: 0..<fields.count, using: &random)]
            let value = field.values[Int.random(in: 0..<field.values.count, using: &random)]
            bytes.replaceSubrange((batch + field.offset)..<(batch + field.offset + value.count), with: value)
            return bytes
        case .truncated:
            return Array(original.prefix(Int.random(in: 0...max(original.count - 1, 0), using: &random)))
        case .empty:
            return []
        case .grown:
            return original + random.bytes(Int.random(in: 1...65_536, using: &random))
        case .huge:
            return original + [UInt8](repeating: UInt8.random(in: 0...255, using: &random), count: 10 << 20)
        case .random:
            return random.bytes(Int.random(in: 0...(2 * original.count + 64), using: &random))
        case .bitFlips:
            var bytes = original
            guard !bytes.isEmpty else { return random.bytes(8) }
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            }
            return bytes
        case .extremeInteger:
            var bytes = original
            let extremes: [[UInt8]] = [[0x7f, 0xff, 0xff, 0xff], [0x80, 0, 0, 0], [0xff, 0xff, 0xff, 0xff],
                                       [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0x80, 0, 0, 0, 0, 0, 0, 0]]
            let value = extremes[Int.random(in: 0..<extremes.count, using: &random)]
            guard bytes.count >= value.count else { return value }
            let at = Int.random(in: 0...(bytes.count - value.count), using: &random)
            bytes.replaceSubrange(at..<(at + value.count), with: value)
            return bytes
        }
    }

    /// Opens the store at `path` and reads everything it opened, as a broker would.
    static func openAndRead(_ path: String) throws {
        let store = try Store(directory: path, defaultConfig: config(), retentionCheckInterval: nil)
        defer { try? store.close() }
        for name in store.topicNames {
            for log in try store.topic(name).partitions {
                _ = try ProducerStateTable.load(for: log)
                var offset = log.logStartOffset
                while offset < log.logEndOffset {
                    let records = try log.readRecords(from: offset, maxBytes: 1 << 16)
                    guard let last = records.last else { break }
                    #expect(last.offset >= offset, "read went backwards in \(log.directory)")
                    offset = last.offset + 1
                }
                _ = try log.offset(forTimestamp: 1_700_000_000_010)
            }
        }
        _ = store.cursors.committedOffsets(group: "g")
    }

    @Test func hostileFilesGiveTypedErrorsNeverTraps() async throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["BASALT_HOSTILE_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0...UInt64.max)
        let cases = environment["BASALT_HOSTILE_CASES"].flatMap(Int.init) ?? 300
        print("StoreOpenHostileFilesTests seed \(seed) (BASALT_HOSTILE_SEED=\(seed) replays it), \(cases) cases")
        var random = SeededGenerator(seed: seed)

        let directory = TemporaryDirectory("basalt-hostile")
        let template = directory.child("template")
        try await Self.makeTemplate(template)
        let targets = try Self.targets(in: template)
        #expect(targets.contains { $0.hasSuffix(".snapshot") } && targets.contains { $0.hasSuffix(".index") }
                && targets.contains { $0.hasSuffix(".timeindex") } && targets.contains { $0.hasSuffix("partition.checkpoint") })

        var outcomes: [String: Int] = [:]
        for number in 0..<cases {
            let copy = directory.child("case")
            try? FileManager.default.removeItem(atPath: copy)
            try FileManager.default.copyItem(atPath: template, toPath: copy)
            let target = targets[Int.random(in: 0..<targets.count, using: &random)]
            // Huge files are slow to write: one case in 50.
            var damage = Damage.allCases[Int.random(in: 0..<Damage.allCases.count, using: &random)]
            if damage == .huge && number % 50 != 0 { damage = .grown }
            let bytes = Self.damaged(readFile(copy + "/" + target), damage, &random, isLog: target.hasSuffix(".log"))
            // Half the cases open after a crash (recovery) rather than a clean close.
            if Bool.random(using: &random), !target.hasSuffix(PartitionCheckpoint.fileName) {
                let partition = copy + "/" + (target.hasPrefix("t-1") ? "t-1" : "t-0")
                if var checkpoint = PartitionCheckpointFile.read(directory: partition) {
                    checkpoint.clean = nil
                    try checkpoint.write(directory: partition)
                }
            }
            _ = unlink(copy + "/" + target)
            #expect(FileManager.default.createFile(atPath: copy + "/" + target, contents: Data(bytes)))
            do {
                try Self.openAndRead(copy)
                outcomes["opened", default: 0] += 1
            } catch let error as BasaltError {
                outcomes["\(error)".split(separator: " ").prefix(2).joined(separator: " "), default: 0] += 1
            } catch {
                Issue.record("case \(number) (seed \(seed)): \(damage) \(target) threw an untyped error: \(error)")
            }
        }
        print("StoreOpenHostileFilesTests outcomes: \(outcomes.sorted { $0.key < $1.key })")
        #expect(outcomes["opened", default: 0] > 0 && outcomes.count > 1, "every case ended the same way: \(outcomes)")
    }
}
