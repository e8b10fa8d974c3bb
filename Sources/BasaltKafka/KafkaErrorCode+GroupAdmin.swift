/// The codes of the group administration APIs, DescribeCluster and the transactional
/// producer's refusal.
///
/// Kept apart from the main list so helpers adding codes for other APIs do not edit the same lines.
extension KafkaErrorCode {
    /// TRANSACTIONAL_ID_AUTHORIZATION_FAILED (53).
    public static let transactionalIdAuthorizationFailed = KafkaErrorCode(rawValue: 53)
    /// NON_EMPTY_GROUP (68): the group still has members.
    public static let nonEmptyGroup = KafkaErrorCode(rawValue: 68)
    /// GROUP_ID_NOT_FOUND (69).
    public static let groupIdNotFound = KafkaErrorCode(rawValue: 69)
    /// GROUP_SUBSCRIBED_TO_TOPIC (86): the group's members consume the topic.
    public static let groupSubscribedToTopic = KafkaErrorCode(rawValue: 86)
    /// MISMATCHED_ENDPOINT_TYPE (114): a broker asked to describe controllers (DescribeCluster v1).
    public static let mismatchedEndpointType = KafkaErrorCode(rawValue: 114)
    /// UNSUPPORTED_ENDPOINT_TYPE (115): an endpoint type that is neither brokers nor controllers.
    public static let unsupportedEndpointType = KafkaErrorCode(rawValue: 115)
}
