import Glibc
import Testing
@testable import Basalt

@Suite struct SegmentTests {
    /// Only the active segment's indexes are mapped, after rolls and after a reopen, so a
    /// partition's resident memory does not grow with its segments; lookups in the
    /// closed ones still find every offset and timestamp.
    @Test func closedSegmentsKeepNoIndexMapping() async throws {
        let directory = TemporaryDirectory()
        let path = directory.child("t-0")
        let config = PartitionLogTests.smallSegments()
        var log = try PartitionLog(directory: path, config: config)
        for index in 0..<200 { try await log.append([PartitionLogTests.record(index, size: 100)]) }
        for round in ["after rolls", "after a clean reopen"] {
            let segments = log.writer.withLock { $0.segments }
            #expect(segments.count > 3, "\(round)")
            for segment in segments.dropLast() {
                #expect(!segment.offsetIndex.isMapped && !segment.timeIndex.isMapped, "\(round): \(segment.baseOffset)")
                #expect(!mapsContain(segment.offsetIndex.path) && !mapsContain(segment.timeIndex.path), "\(round)")
            }
            #expect(segments.last?.offsetIndex.isMapped == true, "\(round)")
            for index in 0..<200 {
                let records = try log.readRecords(from: Int64(index), maxBytes: 1)
                #expect(records.first?.offset == Int64(index), "\(round)")
                let found = try log.offset(forTimestamp: 1_700_000_000_000 + Int64(index))
                #expect(found?.offset == Int64(index), "\(round)")
            }
            try log.close()
            log = try PartitionLog(directory: path, config: config)
            #expect(log.openReport.wasClean)
        }
        try log.close()
    }

    /// An index that cannot be read costs a scan from the segment's start, not an error
    /// or a wrong position.
    @Test func unreadableIndexStartsTheScanAtZero() async throws {
        let directory = TemporaryDirectory()
        let path = directory.child("t-0")
        let log = try PartitionLog(directory: path, config: PartitionLogTests.smallSegments())
        for index in 0..<100 { try await log.append([PartitionLogTests.record(index, size: 100)]) }
        let first = try #require(log.writer.withLock { $0.segments.first })
        let last = first.nextOffset - 1
        #expect(first.startPosition(for: last) > 0)
        #expect(truncate(first.offsetIndex.path, 0) == 0)
        #expect(first.startPosition(for: last) == 0)
        #expect(try log.readRecords(from: last, maxBytes: 1).first?.offset == last)
        try log.close()
    }
}
