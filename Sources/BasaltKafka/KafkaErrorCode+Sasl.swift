extension KafkaErrorCode {
    /// UNSUPPORTED_SASL_MECHANISM (33): the listener does not enable the mechanism asked for.
    public static let unsupportedSaslMechanism = KafkaErrorCode(rawValue: 33)
    /// ILLEGAL_SASL_STATE (34): a SASL request out of order, or on a listener without SASL.
    public static let illegalSaslState = KafkaErrorCode(rawValue: 34)
    /// SASL_AUTHENTICATION_FAILED (58): wrong credentials or a malformed SASL token.
    public static let saslAuthenticationFailed = KafkaErrorCode(rawValue: 58)
}
