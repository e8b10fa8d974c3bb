import Testing
@testable import BasaltBroker

/// The schedule and the warning ration of ``RefusalBackoff``.
@Suite struct RefusalBackoffTests {
    @Test func noDelayOnceThenDoublingFrom50MsToTheCap() {
        let cap = Duration.milliseconds(1000)
        let delays = (1...9).map { RefusalBackoff.delay(afterRefusals: $0, maxDelay: cap) }
        #expect(delays == [0, 50, 100, 200, 400, 800, 1000, 1000, 1000].map { Duration.milliseconds($0) })
        // Huge refusal counts neither overflow nor pass the cap; a zero cap means no delay.
        #expect(RefusalBackoff.delay(afterRefusals: Int.max, maxDelay: cap) == cap)
        #expect(RefusalBackoff.delay(afterRefusals: 5, maxDelay: .zero) == .zero)
    }

    @Test func anAppendResetsTheDelayAndTheWarningIsRationed() {
        let start = ContinuousClock.now
        var backoff = RefusalBackoff()
        #expect(backoff.refused(at: start, maxDelay: .seconds(1)) == 1)  // the first is logged
        #expect(backoff.isDue(at: start))
        #expect(backoff.refused(at: start, maxDelay: .seconds(1)) == nil)
        #expect(!backoff.isDue(at: start + .milliseconds(49)))
        #expect(backoff.isDue(at: start + .milliseconds(50)))
        #expect(backoff.refused(at: start + .seconds(9), maxDelay: .seconds(1)) == nil)
        #expect(backoff.refusals == 3)
        // Ten seconds after the last warning: one more, counting the refusals it stands for.
        #expect(backoff.refused(at: start + .seconds(10), maxDelay: .seconds(1)) == 3)
        backoff.appended()
        #expect(backoff.refusals == 0)
        #expect(backoff.isDue(at: start))
    }

    /// `replica.fetch.backoff.ms` comes from the properties file under Kafka's name and default.
    @Test func theCapIsABrokerSetting() throws {
        let cluster = "basalt.etcd.endpoints=http://127.0.0.1:2379\nbasalt.cluster.name=c\n"
        var configuration = BrokerConfiguration()
        try BrokerPropertiesFile.apply(text: cluster, to: &configuration)
        #expect(configuration.cluster?.replicaFetchBackoffMs == 1000)
        try BrokerPropertiesFile.apply(text: cluster + "replica.fetch.backoff.ms=250", to: &configuration)
        #expect(configuration.cluster?.replicaFetchBackoffMs == 250)
        try configuration.cluster?.validate()
        configuration.cluster?.replicaFetchBackoffMs = -1
        #expect(throws: BrokerConfigurationError.self) { try configuration.cluster?.validate() }
        #expect(throws: BrokerConfigurationError.self) {
            try BrokerPropertiesFile.apply(text: cluster + "replica.fetch.backoff.ms=soon", to: &configuration)
        }
    }
}
