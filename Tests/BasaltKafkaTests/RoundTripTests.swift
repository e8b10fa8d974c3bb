import NIOCore
import Testing
@testable import BasaltKafka

/// encode → decode → encode property tests for every request and response at every supported
/// version, with random values from a seeded ``SplitMix64``.
@Suite struct RoundTripTests {
    static let iterations = 150

    @Test(arguments: ApiVersionCase.all)
    func requestBodyRoundTrips(_ c: ApiVersionCase) throws {
        for iteration in 0..<Self.iterations {
            var gen = Gen(seed: c.seed(iteration))
            let request = gen.request(c.apiKey, version: c.version)
            #expect(request.apiKey == c.apiKey)
            var encoded = ByteBuffer()
            try request.encode(into: &encoded, version: c.version)
            let bytes = encoded
            let decoded = try KafkaRequest(from: &encoded, apiKey: c.apiKey, version: c.version)
            #expect(decoded == request, "seed \(c.seed(iteration))")
            #expect(encoded.readableBytes == 0)
            var reencoded = ByteBuffer()
            try decoded.encode(into: &reencoded, version: c.version)
            #expect(reencoded == bytes)
        }
    }

    @Test(arguments: ApiVersionCase.all)
    func requestFrameRoundTrips(_ c: ApiVersionCase) throws {
        for iteration in 0..<Self.iterations {
            var gen = Gen(seed: c.seed(iteration) ^ 0xA5A5)
            let header = RequestHeader(
                apiKey: c.apiKey, apiVersion: c.version, correlationId: gen.i32(), clientId: gen.nstr())
            let request = gen.request(c.apiKey, version: c.version)
            var framed = ByteBuffer()
            try request.encodeFrame(header: header, into: &framed)
            var body = try #require(frameBody(framed))
            let (decodedHeader, decoded) = try KafkaRequest.decode(frame: &body)
            #expect(decodedHeader == header)
            #expect(decoded == request, "seed \(c.seed(iteration) ^ 0xA5A5)")
        }
    }

    @Test(arguments: ApiVersionCase.all)
    func responseFrameRoundTrips(_ c: ApiVersionCase) throws {
        for iteration in 0..<Self.iterations {
            var gen = Gen(seed: c.seed(iteration) ^ 0x5A5A)
            let correlationId = gen.i32()
            let response = gen.response(c.apiKey, version: c.version)
            #expect(response.apiKey == c.apiKey)
            var framed = ByteBuffer()
            try response.encodeFrame(correlationId: correlationId, version: c.version, into: &framed)
            var body = try #require(frameBody(framed))
            let (header, decoded) = try KafkaResponse.decode(frame: &body, apiKey: c.apiKey, version: c.version)
            #expect(header.correlationId == correlationId)
            #expect(decoded == response, "seed \(c.seed(iteration) ^ 0x5A5A)")
            var reencoded = ByteBuffer()
            try decoded.encodeFrame(correlationId: correlationId, version: c.version, into: &reencoded)
            #expect(reencoded == framed)
        }
    }
}
