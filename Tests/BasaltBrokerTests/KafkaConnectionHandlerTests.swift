import Basalt
import BasaltBroker
import BasaltKafka
import NIOCore
import Testing

@Suite(.serialized) struct KafkaConnectionHandlerTests {
    /// A producer that pipelines four times the default read-ahead limit (64 requests of
    /// 64 KB against 1 MiB) gets every response, in order: the broker stops reading at
    /// the limit and the rest waits in the socket buffers, not in the broker's memory.
    @Test func pipelinedRequestsPastTheReadAheadLimitAreAllAnswered() async throws {
        let broker = try await TestBroker.start()
        #expect(broker.server.broker.configuration.maxInFlightBytesPerConnection == 1 << 20)
        let connection = try broker.connect()
        let batch = try BadInputTests.batch(records: 64, value: 1000)
        let requests = 64
        var frames: [UInt8] = []
        for correlation in 1...requests {
            var buffer = ByteBuffer()
            let header = RequestHeader(apiKey: .produce, apiVersion: 7, correlationId: Int32(correlation), clientId: "pipeline")
            try BadInputTests.produce("pipelined", batch).encodeFrame(header: header, into: &buffer)
            frames += buffer.readableBytesView
        }
        let bytes = frames
        async let sent: Void = offPool { connection.send(bytes) }
        var correlations: [Int32] = []
        for _ in 1...requests {
            let prefix = try #require(try await connection.read(4))
            let size = Int(Int32(bigEndian: prefix.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }))
            var frame = ByteBuffer(bytes: try #require(try await connection.read(size)))
            let (header, response) = try KafkaResponse.decode(frame: &frame, apiKey: .produce, version: 7)
            correlations.append(header.correlationId)
            #expect(BadInputTests.produceError(response) == KafkaErrorCode.noError)
        }
        try await sent
        #expect(correlations == Array(1...Int32(requests)))
        let log = try broker.server.broker.store.topic("pipelined").partition(0)
        #expect(log.logEndOffset == Int64(requests * 64))
        try await broker.stop()
    }
}
