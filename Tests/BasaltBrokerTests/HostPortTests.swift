import BasaltBroker
import Testing

@Suite struct HostPortTests {
    @Test func parsesPlainAndListenerForms() {
        #expect(HostPort(parsing: "127.0.0.1:9092") == HostPort(host: "127.0.0.1", port: 9092))
        #expect(HostPort(parsing: "PLAINTEXT://localhost:19092") == HostPort(host: "localhost", port: 19092))
        #expect(HostPort(parsing: "[::1]:9092") == HostPort(host: "::1", port: 9092))
        #expect(HostPort(parsing: "localhost") == nil)
        #expect(HostPort(parsing: "localhost:70000") == nil)
    }
}
