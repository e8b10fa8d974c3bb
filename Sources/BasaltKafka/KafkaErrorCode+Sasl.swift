extension KafkaErrorCode {
    /// UNSUPPORTED_SASL_MECHANISM (33): the listener does not enable the mechanism asked for.
    public static let unsupportedSaslMechanism = KafkaErrorCode(rawValue: 33)
    /// ILLEGAL_SASL_STATE (34): a SASL request out of order, or on a listener without SASL.
    public static let illegalSaslState = KafkaErrorCode(rawValue: 34)
    /// SASL_AUTHENTICATION_FAILED (58): wrong credentials or a malformed SASL token.
    public static let saslAuthenticationFailed = KafkaErrorCode(rawValue: 58)
    /// RESOURCE_NOT_FOUND (91): DescribeUserScramCredentials of a user without credentials.
    public static let resourceNotFound = KafkaErrorCode(rawValue: 91)
    /// DUPLICATE_RESOURCE (92): a user named twice in one AlterUserScramCredentials.
    public static let duplicateResource = KafkaErrorCode(rawValue: 92)
    /// UNACCEPTABLE_CREDENTIAL (93): iterations out of range, an empty salt or password.
    public static let unacceptableCredential = KafkaErrorCode(rawValue: 93)
}
