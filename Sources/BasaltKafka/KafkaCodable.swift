import NIOCore

/// A value (typically an element of an array of structs) that decodes and encodes itself for a
/// given API version. Used to read and write arrays of nested structs without closures.
protocol KafkaCodable: Sendable, Equatable {
    /// Decodes one value of the given API version.
    init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError)
    /// Encodes one value in the given API version.
    func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError)
}

extension ByteBuffer {
    /// Reads a nullable array of `Element`s of the given API version.
    mutating func readKafkaNullableArray<Element: KafkaCodable>(
        of _: Element.Type = Element.self, version: Int16, compact: Bool = false
    ) throws(KafkaProtocolError) -> [Element]? {
        try readKafkaNullableArray(compact: compact) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
            try Element(from: &buffer, version: version)
        }
    }

    /// Reads a non-nullable array of `Element`s of the given API version.
    mutating func readKafkaArray<Element: KafkaCodable>(
        of _: Element.Type = Element.self, version: Int16, compact: Bool = false
    ) throws(KafkaProtocolError) -> [Element] {
        try readKafkaArray(compact: compact) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
            try Element(from: &buffer, version: version)
        }
    }

    /// Writes a nullable array of `Element`s in the given API version.
    mutating func writeKafkaNullableArray<Element: KafkaCodable>(
        _ elements: [Element]?, version: Int16, compact: Bool = false
    ) throws(KafkaEncodingError) {
        try writeKafkaNullableArray(elements, compact: compact) { (buffer: inout ByteBuffer, element: Element) throws(KafkaEncodingError) in
            try element.encode(into: &buffer, version: version)
        }
    }

    /// Writes a non-nullable array of `Element`s in the given API version.
    mutating func writeKafkaArray<Element: KafkaCodable>(
        _ elements: [Element], version: Int16, compact: Bool = false
    ) throws(KafkaEncodingError) {
        try writeKafkaNullableArray(elements, compact: compact) { (buffer: inout ByteBuffer, element: Element) throws(KafkaEncodingError) in
            try element.encode(into: &buffer, version: version)
        }
    }
}
