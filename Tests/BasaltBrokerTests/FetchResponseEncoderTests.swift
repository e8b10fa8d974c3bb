import Basalt
import BasaltKafka
import Foundation
import NIOCore
import Testing
@testable import BasaltBroker

/// The zero-copy Fetch encoder writes the same bytes as BasaltKafka's FetchResponse.
@Suite struct FetchResponseEncoderTests {
    @Test(arguments: Array(Int16(4)...11))
    func matchesTheCodec(version: Int16) async throws {
        let directory = NSTemporaryDirectory() + "basalt-fetch-encoder-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try PartitionLog(directory: directory + "/t-0")
        for batch in 0..<5 {
            try await log.append((0..<(batch + 1)).map { Record(key: [UInt8(batch)], value: [UInt8](repeating: 9, count: $0 * 10)) })
        }
        let slices = try log.read(from: 2, maxBytes: 1 << 20)
        let plan: [(name: String, partitions: [FetchPlan.Partition])] = [
            ("t", [
                FetchPlan.Partition(index: 0, errorCode: .noError, highWatermark: log.logEndOffset, logStartOffset: 0, slices: slices),
                .failed(1, .unknownTopicOrPartition),
            ]),
            ("empty", [FetchPlan.Partition(index: 3, errorCode: .noError, highWatermark: 0, logStartOffset: 0, slices: [])]),
        ]
        let frame = try FetchResponseEncoder.encode(plan, correlationId: 99, version: version)
        var flattened: [UInt8] = []
        for part in frame.parts {
            switch part {
            case .bytes(let buffer): flattened += buffer.readableBytesView
            case .file(let slice):
                var bytes = [UInt8](repeating: 0, count: slice.length)
                let read = bytes.withUnsafeMutableBytes { pread(slice.file.descriptor, $0.baseAddress, slice.length, off_t(slice.position)) }
                #expect(read == slice.length)
                flattened += bytes
            }
        }
        #expect(flattened.count == frame.byteCount)

        var records = ByteBuffer()
        for slice in slices {
            var bytes = [UInt8](repeating: 0, count: slice.length)
            _ = bytes.withUnsafeMutableBytes { pread(slice.file.descriptor, $0.baseAddress, slice.length, off_t(slice.position)) }
            records.writeBytes(bytes)
        }
        let expected = FetchResponse(responses: [
            .init(topic: "t", partitions: [
                .init(partitionIndex: 0, highWatermark: log.logEndOffset, lastStableOffset: log.logEndOffset, logStartOffset: version >= 5 ? 0 : -1,
                      abortedTransactions: [], records: records),
                .init(partitionIndex: 1, errorCode: .unknownTopicOrPartition, highWatermark: -1, lastStableOffset: -1,
                      logStartOffset: version >= 5 ? -1 : -1, abortedTransactions: [], records: ByteBuffer()),
            ]),
            .init(topic: "empty", partitions: [
                .init(partitionIndex: 3, highWatermark: 0, lastStableOffset: 0, logStartOffset: 0, abortedTransactions: [], records: ByteBuffer()),
            ]),
        ])
        var buffer = ByteBuffer()
        try KafkaResponse.fetch(expected).encodeFrame(correlationId: 99, version: version, into: &buffer)
        #expect(flattened == Array(buffer.readableBytesView))
        try log.close()
    }

    /// Fetch v0–3: no last stable offset, log start or aborted transactions, no throttle
    /// time in v0, and the down-converted message set sent from memory.
    @Test(arguments: Array(Int16(0)...3))
    func oldVersionsMatchTheCodec(version: Int16) throws {
        var messages: [UInt8] = []
        LegacyMessageSet.appendMessage(to: &messages, offset: 4, magic: version >= 2 ? 1 : 0, timestamp: 7, key: nil, value: [1, 2][...])
        let plan: [(name: String, partitions: [FetchPlan.Partition])] = [
            ("t", [
                FetchPlan.Partition(index: 0, errorCode: .noError, highWatermark: 5, logStartOffset: 0, slices: [], converted: messages),
                .failed(1, .unsupportedCompressionType, highWatermark: 5, logStartOffset: 0),
            ]),
        ]
        let frame = try FetchResponseEncoder.encode(plan, correlationId: 99, version: version)
        var flattened: [UInt8] = []
        for part in frame.parts {
            guard case .bytes(let buffer) = part else { Issue.record("a file part in an old-version fetch"); return }
            flattened += buffer.readableBytesView
        }
        let expected = FetchResponse(responses: [
            .init(topic: "t", partitions: [
                .init(partitionIndex: 0, highWatermark: 5, lastStableOffset: -1, records: ByteBuffer(bytes: messages)),
                .init(partitionIndex: 1, errorCode: .unsupportedCompressionType, highWatermark: 5, lastStableOffset: -1,
                      records: ByteBuffer()),
            ]),
        ])
        var buffer = ByteBuffer()
        try KafkaResponse.fetch(expected).encodeFrame(correlationId: 99, version: version, into: &buffer)
        #expect(flattened == Array(buffer.readableBytesView))
    }
}
