/// Why a request to another broker failed. After any of these the connection is closed:
/// responses come back in request order, so one lost or unreadable response leaves the
/// rest unmatched.
enum PeerConnectionError: Error, CustomStringConvertible {
    case connectFailed(peer: String, reason: String)
    case timedOut(peer: String, api: String)
    case closed(peer: String)
    case malformedResponse(peer: String, reason: String)
    case authenticationFailed(peer: String, reason: String)

    var description: String {
        switch self {
        case .connectFailed(let peer, let reason): "cannot connect to \(peer): \(reason)"
        case .timedOut(let peer, let api): "\(api) to \(peer) timed out"
        case .closed(let peer): "connection to \(peer) closed"
        case .malformedResponse(let peer, let reason): "malformed response from \(peer): \(reason)"
        case .authenticationFailed(let peer, let reason): "authentication to \(peer) failed: \(reason)"
        }
    }
}
