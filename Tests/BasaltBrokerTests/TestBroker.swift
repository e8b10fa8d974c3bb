import BasaltBroker
import BasaltKafka
import Foundation
import Glibc
import Logging
import NIOCore

/// An in-process broker on a free loopback port with its own temporary data directory.
struct TestBroker {
    let server: BrokerServer
    let directory: String

    static func start(_ adjust: (inout BrokerConfiguration) -> Void = { _ in }) async throws -> TestBroker {
        let directory = NSTemporaryDirectory() + "basalt-broker-test-" + UUID().uuidString
        var configuration = BrokerConfiguration()
        configuration.dataDirectory = directory
        configuration.listenPort = 0
        configuration.logger = Logger(label: "test.broker")
        configuration.logger.logLevel = .error
        adjust(&configuration)
        return TestBroker(server: try await BrokerServer.start(configuration: configuration), directory: directory)
    }

    func connect() throws -> TestConnection { try TestConnection(port: server.boundAddress.port) }

    func stop() async throws {
        try await server.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Runs blocking socket calls on a Dispatch thread, never on Swift concurrency's small
/// cooperative pool, which the in-process broker needs to answer.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

/// A blocking loopback TCP client that speaks Kafka frames through BasaltKafka's codec.
final class TestConnection: @unchecked Sendable {
    let fd: Int32
    // Used by one test at a time, from one Dispatch thread at a time (offPool calls are awaited).
    private var nextCorrelation: Int32 = 1

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw TestConnectionError.connectFailed(errno) }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }

    /// Reads exactly `count` bytes; nil when the peer closed (or the read timed out).
    func receive(_ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
            if n <= 0 { return nil }
            got += n
        }
        return bytes
    }

    /// Whether the broker closed the connection (EOF within the receive timeout).
    func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }

    /// Sends `request` in `version` and decodes the response.
    func roundTrip(_ request: KafkaRequest, version: Int16, clientId: String? = "swift-test") async throws -> KafkaResponse {
        try await offPool { try self.blockingRoundTrip(request, version: version, clientId: clientId) }
    }

    /// Whether the broker closed the connection, waited for off the cooperative pool.
    func closedByPeer() async throws -> Bool { try await offPool { self.isClosedByPeer() } }

    /// Reads exactly `count` bytes off the cooperative pool.
    func read(_ count: Int) async throws -> [UInt8]? { try await offPool { self.receive(count) } }

    private func blockingRoundTrip(_ request: KafkaRequest, version: Int16, clientId: String?) throws -> KafkaResponse {
        let correlation = nextCorrelation
        nextCorrelation += 1
        var buffer = ByteBuffer()
        try request.encodeFrame(header: RequestHeader(apiKey: request.apiKey, apiVersion: version, correlationId: correlation,
                                                      clientId: clientId), into: &buffer)
        send(Array(buffer.readableBytesView))
        guard let sizeBytes = receive(4) else { throw TestConnectionError.closed }
        let size = Int(Int32(bigEndian: sizeBytes.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }))
        guard let body = receive(size) else { throw TestConnectionError.closed }
        var frame = ByteBuffer(bytes: body)
        let (header, response) = try KafkaResponse.decode(frame: &frame, apiKey: request.apiKey, version: version)
        guard header.correlationId == correlation else { throw TestConnectionError.wrongCorrelation(header.correlationId) }
        return response
    }
}

enum TestConnectionError: Error {
    case connectFailed(Int32)
    case closed
    case wrongCorrelation(Int32)
}
