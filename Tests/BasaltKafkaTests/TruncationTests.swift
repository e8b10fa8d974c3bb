import NIOCore
import Testing
@testable import BasaltKafka

/// Every strict prefix of a valid frame must throw `.truncated`, never trap or succeed; random
/// and mutated bytes must only ever throw or decode.
@Suite struct TruncationTests {
    static let iterations = 12

    @Test(arguments: ApiVersionCase.all)
    func everyRequestPrefixThrowsTruncated(_ c: ApiVersionCase) throws {
        for iteration in 0..<Self.iterations {
            var gen = Gen(seed: c.seed(iteration) ^ 0x7777)
            let header = RequestHeader(
                apiKey: c.apiKey, apiVersion: c.version, correlationId: gen.i32(), clientId: gen.nstr())
            var framed = ByteBuffer()
            try gen.request(c.apiKey, version: c.version).encodeFrame(header: header, into: &framed)
            let body = try #require(frameBody(framed))
            for length in 0..<body.readableBytes {
                var prefix = body.getSlice(at: body.readerIndex, length: length)!
                do {
                    _ = try KafkaRequest.decode(frame: &prefix)
                    Issue.record("prefix \(length)/\(body.readableBytes) of \(c) decoded")
                } catch {
                    guard case .truncated = error else {
                        Issue.record("prefix \(length)/\(body.readableBytes) of \(c): \(error)")
                        continue
                    }
                }
            }
            var whole = body
            _ = try KafkaRequest.decode(frame: &whole)
        }
    }

    @Test(arguments: ApiVersionCase.all)
    func everyResponsePrefixThrowsTruncated(_ c: ApiVersionCase) throws {
        for iteration in 0..<Self.iterations {
            var gen = Gen(seed: c.seed(iteration) ^ 0x8888)
            var framed = ByteBuffer()
            try gen.response(c.apiKey, version: c.version).encodeFrame(correlationId: 7, version: c.version, into: &framed)
            let body = try #require(frameBody(framed))
            for length in 0..<body.readableBytes {
                var prefix = body.getSlice(at: body.readerIndex, length: length)!
                do {
                    _ = try KafkaResponse.decode(frame: &prefix, apiKey: c.apiKey, version: c.version)
                    Issue.record("prefix \(length)/\(body.readableBytes) of \(c) decoded")
                } catch {
                    guard case .truncated = error else {
                        Issue.record("prefix \(length)/\(body.readableBytes) of \(c): \(error)")
                        continue
                    }
                }
            }
        }
    }

    /// Valid frames with random bytes overwritten, and pure random bytes: decoding may succeed
    /// or throw, but must not trap.
    @Test(arguments: ApiVersionCase.all)
    func mutatedRequestsNeverTrap(_ c: ApiVersionCase) throws {
        for iteration in 0..<40 {
            var gen = Gen(seed: c.seed(iteration) ^ 0x9999)
            let header = RequestHeader(apiKey: c.apiKey, apiVersion: c.version, correlationId: 1, clientId: "c")
            var framed = ByteBuffer()
            try gen.request(c.apiKey, version: c.version).encodeFrame(header: header, into: &framed)
            var body = try #require(frameBody(framed))
            let flips = gen.int(1...4)
            for _ in 0..<flips where body.readableBytes > 4 {
                let offset = gen.int(4...(body.readableBytes - 1))
                body.setInteger(UInt8(truncatingIfNeeded: gen.i8()), at: body.readerIndex + offset)
            }
            _ = try? KafkaRequest.decode(frame: &body)
        }
    }

    @Test func randomBytesNeverTrap() {
        var gen = Gen(seed: 42)
        for _ in 0..<5000 {
            var frame = ByteBuffer()
            let key = ApiKey.allCases[gen.int(0...(ApiKey.allCases.count - 1))]
            frame.writeKafkaInt16(key.rawValue)
            frame.writeKafkaInt16(Int16(gen.int(-1...12)))
            frame.writeKafkaInt32(gen.i32())
            let tail = gen.int(0...64)
            for _ in 0..<tail {
                // Bias toward small and 0xFF bytes so lengths and counts hit edge cases.
                let byte: UInt8 = gen.bool() ? UInt8(gen.int(0...3)) : (gen.bool() ? 0xFF : UInt8(gen.int(0...255)))
                frame.writeInteger(byte)
            }
            _ = try? KafkaRequest.decode(frame: &frame)
        }
    }
}
