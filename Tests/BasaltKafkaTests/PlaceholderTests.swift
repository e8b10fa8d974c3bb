import Testing
@testable import BasaltKafka

@Test func truncatedErrorIsEquatable() {
    #expect(KafkaProtocolError.truncated(needed: 4, available: 2) == .truncated(needed: 4, available: 2))
}
