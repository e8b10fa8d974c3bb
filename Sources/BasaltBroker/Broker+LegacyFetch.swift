import Basalt
import BasaltKafka

extension Broker {
    /// The messages Fetch `version` (0–3) understands for the batches in `slices`: magic 0
    /// for v0–1, magic 1 for v2–3 (Kafka's rule), uncompressed (``LegacyMessageSet``).
    ///
    /// The output is cut at whole messages within `budget`. Versions 0–2 treat the limit
    /// as hard, as Kafka does: when even the first message does not fit, its first
    /// `budget` bytes go out and the old client reports a message too large for its fetch
    /// size. Version 3 follows KIP-74: the first message of the response goes out whole.
    ///
    /// This path reads the segment bytes into memory, decompresses and re-encodes them:
    /// it costs CPU and copies that the v4+ `sendfile` path never pays.
    func downConverted(
        _ slices: [LogSlice], from fetchOffset: Int64, version: Int16, budget: Int, firstWithData: Bool
    ) throws -> [UInt8] {
        var batches: [UInt8] = []
        batches.reserveCapacity(slices.reduce(0) { $0 + $1.length })
        for slice in slices {
            batches.append(contentsOf: try slice.file.read(count: slice.length, at: slice.position))
        }
        let magic: Int8 = version >= 2 ? 1 : 0
        let (messages, ends) = try LegacyMessageSet.downConvert(batches, from: fetchOffset, magic: magic, maxBytes: budget)
        guard messages.count > budget else { return messages }
        let fitting = ends.last(where: { $0 <= budget }) ?? 0
        if fitting > 0 { return Array(messages[..<fitting]) }
        if version == 3 && firstWithData { return Array(messages[..<(ends.first ?? 0)]) }
        return Array(messages[..<budget])
    }
}
