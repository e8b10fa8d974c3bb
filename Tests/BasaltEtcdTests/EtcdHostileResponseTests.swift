import BasaltEtcd
import NIOPosix
import Testing

/// What the client does with responses no healthy etcd sends: typed errors with context, never a trap.
extension EtcdTests {
@Suite struct EtcdHostileResponseTests {
    private func client(for server: CannedHTTPServer, maxResponseBytes: Int = 1024) throws -> EtcdClient {
        try EtcdClient(
            endpoints: [EtcdEndpoint(host: "127.0.0.1", port: server.port)],
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, requestTimeout: .seconds(2),
            watchReconnectTimeout: .milliseconds(300), maxResponseBytes: maxResponseBytes)
    }

    private static func http(_ status: String, _ body: String) -> [UInt8] {
        Array("HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
    }

    /// Sends `response` to a `get` and returns the error it throws.
    private func getError(_ response: [UInt8], maxResponseBytes: Int = 1024) async throws -> EtcdError? {
        let server = try await CannedHTTPServer(response: response)
        let client = try client(for: server, maxResponseBytes: maxResponseBytes)
        defer { Task { try await server.close() } }
        do {
            _ = try await client.get("/k")
            return nil
        } catch let error as EtcdError {
            return error
        }
    }

    /// A connection dropped before any answer: an unconditional put is sent again (repeatable),
    /// a transaction is not (etcd may have applied it; the caller must re-read).
    @Test func aDroppedConnectionRepeatsAPutButNotATransaction() async throws {
        let putServer = try await CannedHTTPServer(
            response: Self.http("200 OK", #"{"header":{"revision":"7"}}"#), droppedConnections: 1)
        defer { Task { try await putServer.close() } }
        let revision = try await client(for: putServer).put("/k", value: Array("v".utf8))
        #expect(revision == 7)
        #expect(putServer.connections == 2)

        let txnServer = try await CannedHTTPServer(
            response: Self.http("200 OK", #"{"header":{"revision":"7"},"succeeded":true}"#), droppedConnections: 1)
        defer { Task { try await txnServer.close() } }
        await #expect(throws: EtcdError.connectionClosed(endpoint: "http://127.0.0.1:\(txnServer.port)", operation: "kv/txn")) {
            _ = try await client(for: txnServer).txn(compare: [], success: [.put(key: "/k", value: Array("v".utf8), leaseID: 0)])
        }
        #expect(txnServer.connections == 1)
    }

    @Test func notJSONIsMalformed() async throws {
        let error = try await getError(Self.http("200 OK", "nope!"))
        guard case .malformedResponse(_, "kv/range", _)? = error else {
            Issue.record("got \(String(describing: error))")
            return
        }
    }

    @Test func badBase64AndHugeNumbersAreMalformed() async throws {
        for body in [#"{"kvs":[{"key":"***"}]}"#, #"{"header":{"revision":"99999999999999999999"}}"#] {
            let error = try await getError(Self.http("200 OK", body))
            guard case .malformedResponse? = error else {
                Issue.record("\(body): got \(String(describing: error))")
                continue
            }
        }
    }

    @Test func anOversizedBodyIsRefusedBeforeItIsBuffered() async throws {
        let error = try await getError(Self.http("200 OK", "{\"x\":\"" + String(repeating: "a", count: 5000) + "\"}"))
        guard case .responseTooLarge(_, "kv/range", 1024)? = error else {
            Issue.record("got \(String(describing: error))")
            return
        }
    }

    @Test func etcdErrorBodiesAndOtherStatusesAreTyped() async throws {
        let server = try await getError(Self.http("503 Service Unavailable", #"{"error":"etcdserver: no leader","message":"etcdserver: no leader","code":14}"#))
        guard case .server(_, "kv/range", 14, "etcdserver: no leader")? = server else {
            Issue.record("got \(String(describing: server))")
            return
        }
        let proxy = try await getError(Self.http("502 Bad Gateway", "<html>bad gateway</html>"))
        guard case .httpStatus(_, "kv/range", 502, let body)? = proxy else {
            Issue.record("got \(String(describing: proxy))")
            return
        }
        #expect(body.contains("bad gateway"))
    }

    @Test func garbageInsteadOfHTTPOrAnEarlyCloseIsAConnectionError() async throws {
        for response in [Array("garbage\r\n\r\n".utf8), Array("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{".utf8), []] {
            let error = try await getError(response)
            #expect(error != nil, "\(response)")
        }
    }

    @Test func aKeepaliveWithoutTTLMeansTheLeaseExpired() async throws {
        let server = try await CannedHTTPServer(response: Self.http("200 OK", #"{"result":{"header":{},"ID":"7"}}"#))
        defer { Task { try await server.close() } }
        await #expect(throws: EtcdError.leaseExpired(leaseID: 7, reason: "etcd at http://127.0.0.1:\(server.port) reports TTL 0")) {
            _ = try await client(for: server).keepAliveOnce(7)
        }
    }

    @Test func aWatchStreamWithGarbageEndsWithATypedError() async throws {
        let body = #"{"result":{"created":true,"header":{"revision":"3"}}}"# + "\n" + "xyz"
        let server = try await CannedHTTPServer(response: Array(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\(String(body.utf8.count, radix: 16))\r\n\(body)\r\n0\r\n\r\n".utf8))
        defer { Task { try await server.close() } }
        let events = StreamCollector(try client(for: server).watch(prefix: "/"))
        let error = try await events.waitForEnd(within: .seconds(5))
        guard case .malformedResponse(_, "watch", _)? = error as? EtcdError else {
            Issue.record("got \(String(describing: error))")
            return
        }
    }

    @Test func aWatchThatCannotReconnectGivesUpAfterTheReconnectTimeout() async throws {
        let server = try await CannedHTTPServer(response: [])
        defer { Task { try await server.close() } }
        let events = StreamCollector(try client(for: server).watch(prefix: "/"))
        let error = try await events.waitForEnd(within: .seconds(5))
        #expect(error is EtcdError, "got \(String(describing: error))")
    }
}
}
