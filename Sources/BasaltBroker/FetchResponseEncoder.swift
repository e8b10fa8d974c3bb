import Basalt
import BasaltKafka
import NIOCore

/// Encodes a Fetch response (v0–11, non-flexible) whose `records` fields are runs of
/// segment files, so the record bytes are sent with `sendfile` and never copied; for
/// v0–3 they are message sets down-converted in memory (``FetchPlan/Partition/converted``).
///
/// The layout is the one ``FetchResponse`` encodes (see its documentation); this type
/// exists only because that value type holds records as a `ByteBuffer`. The tests check
/// that both produce the same bytes.
///
/// Topic names come from the request and counts and sizes from the log, so nothing here
/// traps: a value the encoding cannot carry throws ``KafkaEncodingError``.
enum FetchResponseEncoder {
    static func encode(
        _ topics: [(name: String, partitions: [FetchPlan.Partition])], correlationId: Int32, version: Int16
    ) throws(KafkaEncodingError) -> ResponseFrame {
        var parts: [ResponseFrame.Part] = []
        var buffer = ByteBufferAllocator().buffer(capacity: 128 + topics.count * 64)
        buffer.writeKafkaInt32(0)  // frame size, set at the end
        buffer.writeKafkaInt32(correlationId)  // response header v0
        if version >= 1 { buffer.writeKafkaInt32(0) }  // throttle_time_ms
        if version >= 7 {
            buffer.writeKafkaInt16(KafkaErrorCode.noError.rawValue)
            buffer.writeKafkaInt32(0)  // session_id: no session
        }
        var total = 0
        buffer.writeKafkaInt32(try int32(topics.count))
        for topic in topics {
            try buffer.writeKafkaString(topic.name)
            buffer.writeKafkaInt32(try int32(topic.partitions.count))
            for partition in topic.partitions {
                buffer.writeKafkaInt32(partition.index)
                buffer.writeKafkaInt16(partition.errorCode.rawValue)
                buffer.writeKafkaInt64(partition.highWatermark)
                if version >= 4 { buffer.writeKafkaInt64(partition.highWatermark) }  // last_stable_offset: no transactions
                if version >= 5 { buffer.writeKafkaInt64(partition.logStartOffset) }
                if version >= 4 { buffer.writeKafkaInt32(0) }  // aborted_transactions: empty
                if version >= 11 { buffer.writeKafkaInt32(-1) }  // preferred_read_replica
                if let converted = partition.converted {
                    buffer.writeKafkaInt32(try int32(converted.count))
                    buffer.writeBytes(converted)
                    continue
                }
                let length = partition.slices.reduce(0) { $0 + $1.length }
                buffer.writeKafkaInt32(try int32(length))
                guard length > 0 else { continue }
                total += buffer.readableBytes
                parts.append(.bytes(buffer))
                for slice in partition.slices {
                    parts.append(.file(slice))
                    total += slice.length
                }
                buffer = ByteBufferAllocator().buffer(capacity: 128)
            }
        }
        if buffer.readableBytes > 0 {
            total += buffer.readableBytes
            parts.append(.bytes(buffer))
        }
        // parts[0] is the buffer that holds the header: it is appended before any file slice.
        guard case .bytes(var first) = parts[0] else { preconditionFailure("a fetch response starts with its header") }
        first.setInteger(try int32(total - 4), at: first.readerIndex, endianness: .big)
        parts[0] = .bytes(first)
        return ResponseFrame(parts: parts)
    }

    private static func int32(_ value: Int) throws(KafkaEncodingError) -> Int32 {
        guard let narrow = Int32(exactly: value), narrow >= 0 else {
            throw .lengthOutOfRange(value, limit: Int(Int32.max))
        }
        return narrow
    }
}
