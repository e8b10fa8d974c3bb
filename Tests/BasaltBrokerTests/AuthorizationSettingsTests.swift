import BasaltBroker
import Testing

/// The authorizer's settings in Kafka's `server.properties` names.
@Suite struct AuthorizationSettingsTests {
    func parse(_ text: String) throws -> AuthorizationSettings {
        var configuration = BrokerConfiguration()
        try BrokerPropertiesFile.apply(text: text, to: &configuration)
        return configuration.authorization
    }

    @Test func offByDefault() throws {
        let settings = try parse("")
        #expect(!settings.enabled && settings.superUsers.isEmpty && !settings.allowEveryoneIfNoAclFound)
    }

    @Test func kafkaNamesTurnItOn() throws {
        let settings = try parse("""
            authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
            super.users=User:admin; User:broker ;;
            allow.everyone.if.no.acl.found=true
            """)
        #expect(settings.enabled)
        #expect(settings.superUsers == [KafkaPrincipal(name: "admin"), KafkaPrincipal(name: "broker")])
        #expect(settings.allowEveryoneIfNoAclFound)
        #expect(try parse("authorizer.class.name=kafka.security.authorizer.AclAuthorizer").enabled)
        #expect(try parse("basalt.authorizer.enabled=true").enabled)
        #expect(try !parse("authorizer.class.name=").enabled)
    }

    @Test func badValuesAreErrors() {
        #expect(throws: BrokerConfigurationError.self) { try parse("authorizer.class.name=com.example.MyAuthorizer") }
        #expect(throws: BrokerConfigurationError.self) { try parse("super.users=admin") }
        #expect(throws: BrokerConfigurationError.self) { try parse("basalt.authorizer.enabled=yes") }
        #expect(throws: BrokerConfigurationError.self) { try parse("allow.everyone.if.no.acl.found=1") }
    }
}
