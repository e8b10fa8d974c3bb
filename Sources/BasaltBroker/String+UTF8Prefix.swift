extension String {
    /// The longest prefix of whole characters that is at most `maxBytes` bytes of UTF-8.
    ///
    /// Used where text from a request goes back out with a length limit: member ids built
    /// from client ids, error messages that quote a name.
    func utf8Prefix(maxBytes: Int) -> String {
        guard utf8.count > maxBytes else { return self }
        var bytes = 0
        var end = startIndex
        while end < endIndex {
            let next = index(after: end)
            bytes += utf8.distance(from: end, to: next)
            guard bytes <= maxBytes else { break }
            end = next
        }
        return String(self[..<end])
    }
}
