import NIOCore
@testable import BasaltKafka

/// One (API, version) pair, a test argument.
struct ApiVersionCase: Sendable, CustomStringConvertible {
    let apiKey: ApiKey
    let version: Int16

    var description: String { "\(apiKey) v\(version)" }

    /// Every supported version of every API.
    static let all: [ApiVersionCase] = ApiKey.allCases.flatMap { key in
        key.supportedVersions.map { ApiVersionCase(apiKey: key, version: $0) }
    }

    /// A seed that differs per case so cases do not share values.
    func seed(_ iteration: Int) -> UInt64 {
        UInt64(UInt16(bitPattern: apiKey.rawValue)) << 48 | UInt64(UInt16(bitPattern: version)) << 32
            | UInt64(iteration)
    }
}

extension ByteBuffer {
    /// Builds a buffer from literal bytes.
    init(bytes literal: [UInt8]) {
        self.init()
        writeBytes(literal)
    }

    /// The readable bytes as an array.
    var bytesArray: [UInt8] { getBytes(at: readerIndex, length: readableBytes) ?? [] }
}

/// Drops the 4-byte size prefix written by `encodeFrame`, checking it matches.
func frameBody(_ framed: ByteBuffer) -> ByteBuffer? {
    var framed = framed
    guard let size = framed.readInteger(endianness: .big, as: Int32.self), Int(size) == framed.readableBytes else {
        return nil
    }
    return framed
}
