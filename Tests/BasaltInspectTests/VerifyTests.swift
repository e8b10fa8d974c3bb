import Basalt
import Foundation
import Glibc
import Testing
@testable import BasaltInspect

@Suite struct VerifyTests {
    @Test func cleanStoreVerifiesClean() async throws {
        let directory = TemporaryDirectory()
        let store = directory.child("store")
        try await Fixture.writeStore(store)
        let outcome = try Verify(path: store).check()
        #expect(outcome.problems.isEmpty, "\(outcome.problems.map(\.text))")
        #expect(outcome.exitStatus == .clean)
        #expect(outcome.target == "store")
        #expect(outcome.segments >= 4)
        #expect(outcome.batches == 45)

        let result = try InspectProcess.run(["verify", store])
        #expect(result.status == 0, "\(result.output)\(result.error)")
        #expect(result.output.hasPrefix("OK: store \(store)"))
        #expect(result.error.isEmpty, "no progress bar when standard error is not a terminal")
    }

    @Test func partitionAndSegmentTargets() async throws {
        let directory = TemporaryDirectory()
        let store = directory.child("store")
        try await Fixture.writeStore(store)
        #expect(try Verify(path: store + "/t-0").check().target == "partition")
        let log = Fixture.logs(store + "/t-0")[0]
        for path in [log, Fixture.sibling(log, "index"), Fixture.sibling(log, "timeindex")] {
            let outcome = try Verify(path: path).check()
            #expect(outcome.target == "segment")
            #expect(outcome.problemCount == 0)
        }
    }

    @Test(arguments: Corruption.allCases)
    func reportsEveryProblemKind(_ corruption: Corruption) async throws {
        guard corruption.isPossible else { return }
        let directory = TemporaryDirectory()
        let store = directory.child("store")
        let spare = directory.child("spare")
        FileBytes.makeDirectory(spare)
        try await Fixture.writeStore(store)
        try corruption.apply(store: store, spare: spare)

        let report = ProblemReport()
        let outcome = try Verify(path: store, deep: corruption.needsDeep).check(report: report)
        let kinds = Set(outcome.problems.map(\.kind))
        #expect(kinds.contains(corruption.expected), "found \(outcome.problems.map(\.text))")
        let problem = try #require(outcome.problems.first { $0.kind == corruption.expected })
        #expect(problem.path.hasPrefix(store))
        #expect(!problem.message.isEmpty)
        #expect(outcome.exitStatus == (corruption == .unreadable ? .failure : .problemsFound))

        var arguments = ["verify", store]
        if corruption.needsDeep { arguments.append("--deep") }
        let result = try InspectProcess.run(arguments)
        #expect(result.status == (corruption == .unreadable ? 2 : 1), "\(result.output)\(result.error)")
        #expect(result.output.contains(": \(corruption.expected.rawValue): "), "\(result.output)")
        #expect(result.output.contains(corruption.expected.meaning))

        let json = try InspectProcess.run(arguments + ["--json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(document["ok"] as? Bool == false)
        let problems = try #require(document["problems"] as? [[String: Any]])
        #expect(problems.contains { $0["kind"] as? String == corruption.expected.rawValue && ($0["file"] as? String)?.hasPrefix(store) == true })
    }

    @Test func positionsPointAtTheDamage() async throws {
        let directory = TemporaryDirectory()
        let partition = directory.child("t-0")
        try await Fixture.writePartition(partition)
        let log = Fixture.logs(partition)[1]
        let batch = try Fixture.batches(log)[3]
        FileBytes.overwrite(log, at: batch.position + 70, with: [0xFF, 0xFF])
        let outcome = try Verify(path: partition).check()
        let problem = try #require(outcome.problems.first { $0.kind == .crcMismatch })
        #expect(problem.path == log)
        #expect(problem.position == batch.position)
        #expect(problem.severity == .error)
        #expect(problem.message.contains("damage inside the log, not a torn tail"))
    }

    @Test func tornTailOfLastSegmentIsAWarningThatSaysRecoveryCutsIt() async throws {
        let directory = TemporaryDirectory()
        let partition = directory.child("t-0")
        try await Fixture.writePartition(partition)
        let log = Fixture.logs(partition).last!
        let last = try Fixture.batches(log).last!
        FileBytes.truncate(log, to: last.position + 30)
        let outcome = try Verify(path: partition).check()
        let problem = try #require(outcome.problems.first { $0.kind == .truncatedBatch })
        #expect(problem.severity == .warning)
        #expect(problem.position == last.position)
        #expect(problem.message.contains("torn write"))
    }

    @Test func garbageLengthOfTwoGibibytesIsReportedNotCrashed() async throws {
        let directory = TemporaryDirectory()
        let partition = directory.child("t-0")
        try await Fixture.writePartition(partition)
        let log = Fixture.logs(partition)[0]
        let batches = try Fixture.batches(log)
        let batch = batches[1]
        FileBytes.overwrite(log, at: batch.position + 8, with: FileBytes.bigEndian(Int32.max))
        let outcome = try Verify(path: log).check()
        let problem = try #require(outcome.problems.first { $0.kind == .truncatedBatch })
        #expect(problem.position == batch.position)
        #expect(problem.message.contains("2147483659 bytes"))
        // The walk searches past the bad length and finds the next batch.
        #expect(problem.message.contains("the walk resumes at byte \(batch.position + Int64(batch.header.totalSize))"))
        #expect(problem.message.contains("damage inside the log, not a torn tail"))
        #expect(outcome.batches == batches.count - 1)
    }

    @Test func manyProblemsInOneFileAreCountedNotAllKept() async throws {
        let directory = TemporaryDirectory()
        let partition = directory.child("t-0")
        try await Fixture.writePartition(partition, batches: 30, config: Fixture.config(segmentBytes: 1 << 20, indexIntervalBytes: 0))
        let log = Fixture.logs(partition)[0]
        let index = Fixture.sibling(log, "index")
        let entries = try Fixture.offsetEntries(index)
        // Every entry points one byte past its batch: one problem each.
        var bytes: [UInt8] = []
        for entry in entries { bytes += Fixture.bytes(of: OffsetIndexEntry(relativeOffset: entry.relativeOffset, position: entry.position + 1)) }
        FileBytes.write(index, bytes)
        let report = ProblemReport(limitPerFileAndKind: 5)
        let outcome = try Verify(path: partition).check(report: report)
        #expect(outcome.problemCount == entries.count)
        #expect(outcome.problems.count == 5)
        #expect(outcome.suppressed == [ProblemReport.Suppressed(path: index, kind: .indexNotAtBatch, count: entries.count - 5)])
    }

    @Test func unreadableDirectoryIsAOneLineErrorWithExitTwo() async throws {
        let result = try InspectProcess.run(["verify", "/nonexistent/basalt"])
        #expect(result.status == 2)
        #expect(result.output.isEmpty)
        #expect(result.error == "basalt-inspect: /nonexistent/basalt: no such file or directory\n")
    }

    @Test(.enabled(if: getuid() != 0, "root reads any directory"))
    func directoryWithoutPermission() async throws {
        let directory = TemporaryDirectory()
        let partition = directory.child("t-0")
        try await Fixture.writePartition(partition, batches: 2)
        chmod(partition, 0)
        let result = try InspectProcess.run(["verify", partition])
        #expect(result.status == 2)
        #expect(result.error == "basalt-inspect: \(partition): permission denied\n")
    }

    @Test func kafkaCompressionCodecsAreReportedNotFailed() async throws {
        let directory = TemporaryDirectory()
        let partition = directory.child("k-0")
        FileBytes.makeDirectory(partition)
        let log = partition + "/" + SegmentFileName.name(0, "log")
        FileBytes.write(log, try KafkaBatches.mixedCodecs())
        for deep in [false, true] {
            let outcome = try Verify(path: log, deep: deep).check()
            #expect(outcome.problems.allSatisfy { $0.kind == .missingIndex }, "\(outcome.problems.map(\.text))")
            #expect(outcome.batches == 5)
        }
    }
}

@Suite struct DocumentationTests {
    /// docs/inspect.md, found from this file's path.
    static let document: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) }
        return (try? String(contentsOfFile: path + "/docs/inspect.md", encoding: .utf8)) ?? ""
    }()

    @Test func everyProblemKindIsDocumented() {
        #expect(!Self.document.isEmpty)
        for kind in ProblemKind.allCases {
            #expect(Self.document.contains("| `\(kind.rawValue)`"), "\(kind.rawValue) has no row in docs/inspect.md")
        }
    }
}
