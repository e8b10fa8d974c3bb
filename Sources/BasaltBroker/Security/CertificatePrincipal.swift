import NIOSSL
import SwiftASN1
import X509

/// The principal of a TLS client certificate: `User:` and the subject's distinguished name
/// in RFC 2253 form, most specific attribute first (`User:CN=alice,OU=eng,O=Example,C=GB`),
/// exactly as Kafka's default `ssl.principal.mapping.rules` (DEFAULT) produces it from
/// Java's `X500Principal.getName()`, because principals are matched literally against
/// ACLs and `super.users`.
///
/// Java's rules, which this reproduces: RDNs in reverse order of the DER, `,` between
/// them and `+` between the attributes of one RDN (in DER order); the keywords
/// `CN C L ST O OU STREET DC UID` and the dotted OID for every other type, whose value is
/// then `#` and the lowercase hex of its DER encoding (as is any value that is not a
/// PrintableString, T61String, IA5String, GeneralString, BMPString or UTF8String);
/// `, = + < > # ; " \` escaped with `\` wherever they appear, NUL as `\00`, leading and
/// trailing spaces and carriage returns escaped with `\`, everything else (non-ASCII,
/// control characters) as it is. Where Java would print replacement characters (bytes
/// that are not text in the string type's charset) the name is refused instead.
enum CertificatePrincipal {
    /// The longest distinguished name kept; longer ones are refused (no certificate from a
    /// real CA has one).
    static let maxNameBytes = 4096

    /// The principal of `certificate`, or nil when it cannot be parsed or its subject
    /// cannot be printed.
    static func principal(of certificate: NIOSSLCertificate) -> KafkaPrincipal? {
        guard let der = try? certificate.toDERBytes() else { return nil }
        return principal(derEncoded: der)
    }

    /// The principal of the DER-encoded certificate `der`, or nil when it cannot be parsed
    /// or its subject cannot be printed.
    static func principal(derEncoded der: [UInt8]) -> KafkaPrincipal? {
        guard let certificate = try? Certificate(derEncoded: der),
              let name = rfc2253(certificate.subject) else { return nil }
        return KafkaPrincipal(name: name)
    }

    /// `name` as Java's `X500Principal.getName()` writes it, or nil when a value's bytes do
    /// not decode in the charset of its string type (a UTF8String holding U+FFFD counts as
    /// such) or the text is over ``maxNameBytes``.
    static func rfc2253(_ name: DistinguishedName) -> String? {
        var relativeNames: [String] = []
        for relativeName in name.reversed() {
            var attributes: [String] = []
            for attribute in relativeName {
                guard let text = rfc2253(attribute) else { return nil }
                attributes.append(text)
            }
            relativeNames.append(attributes.joined(separator: "+"))
        }
        let text = relativeNames.joined(separator: ",")
        guard text.utf8.count <= maxNameBytes else { return nil }
        return text
    }

    /// Java's RFC 2253 keywords; every other attribute type is written as its dotted OID.
    private static let keywords: [ASN1ObjectIdentifier: String] = [
        [2, 5, 4, 3]: "CN",
        [2, 5, 4, 6]: "C",
        [2, 5, 4, 7]: "L",
        [2, 5, 4, 8]: "ST",
        [2, 5, 4, 10]: "O",
        [2, 5, 4, 11]: "OU",
        [2, 5, 4, 9]: "STREET",
        [0, 9, 2342, 19200300, 100, 1, 25]: "DC",
        [0, 9, 2342, 19200300, 100, 1, 1]: "UID",
    ]

    /// The universal string types Java prints as text (its `AVA.isDerString`), with the
    /// charset it decodes them in.
    private enum StringCharset {
        case latin1, utf16BigEndian, utf8

        init?(tag: ASN1Identifier) {
            guard tag.tagClass == .universal else { return nil }
            switch tag.tagNumber {
            case 19, 20, 22, 27: self = .latin1 // PrintableString, T61String, IA5String, GeneralString
            case 30: self = .utf16BigEndian // BMPString
            case 12: self = .utf8 // UTF8String
            default: return nil
            }
        }

        /// `bytes` decoded, or nil when they are not valid in this charset.
        func decode(_ bytes: ArraySlice<UInt8>) -> String? {
            switch self {
            case .latin1:
                return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
            case .utf16BigEndian:
                guard bytes.count.isMultiple(of: 2) else { return nil }
                let units = stride(from: bytes.startIndex, to: bytes.endIndex, by: 2).map {
                    UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1])
                }
                return String(validating: units, as: UTF16.self)
            case .utf8:
                // swift-asn1 decodes a UTF8String with replacement characters, so invalid
                // UTF-8 arrives here as U+FFFD: a name that has one is refused, because it
                // may not be what the certificate says (Java would print the replacement).
                guard let text = String(validating: bytes, as: UTF8.self),
                      !text.unicodeScalars.contains("\u{FFFD}") else { return nil }
                return text
            }
        }
    }

    /// One `type=value` in Java's RFC 2253 form.
    private static func rfc2253(_ attribute: RelativeDistinguishedName.Attribute) -> String? {
        var serializer = DER.Serializer()
        guard (try? serializer.serialize(ASN1Any(attribute.value))) != nil,
              let node = try? DER.parse(serializer.serializedBytes) else { return nil }
        var text: String?
        if case .primitive(let content) = node.content, let charset = StringCharset(tag: node.identifier) {
            // Checked even where the value is printed as hex: for a UTF8String that held
            // invalid UTF-8, the re-encoded bytes are no longer the certificate's.
            guard let value = charset.decode(content) else { return nil }
            text = value
        }
        let keyword = keywords[attribute.type]
        if let keyword, let text {
            return keyword + "=" + escaped(text)
        }
        var hex = String.UnicodeScalarView()
        for byte in node.encodedBytes {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0f)])
        }
        return (keyword ?? attribute.type.description) + "=#" + String(hex)
    }

    private static let hexDigits = Array("0123456789abcdef".unicodeScalars)

    /// The characters Java escapes with `\` anywhere in a value.
    private static let escapees: Set<Unicode.Scalar> = [",", "=", "+", "<", ">", "#", ";", "\"", "\\"]

    /// `value` escaped as Java's `AVA.toRFC2253String` does it.
    private static func escaped(_ value: String) -> String {
        var scalars: [Unicode.Scalar] = []
        for scalar in value.unicodeScalars {
            if escapees.contains(scalar) {
                scalars += ["\\", scalar]
            } else if scalar == "\0" {
                scalars += ["\\", "0", "0"]
            } else {
                scalars.append(scalar)
            }
        }
        // Leading and trailing spaces and carriage returns (counted after the escaping
        // above, as Java counts them) get a `\` each.
        let isBlank: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\r" }
        let lead = scalars.firstIndex { !isBlank($0) } ?? scalars.count
        let trail = scalars.lastIndex { !isBlank($0) } ?? -1
        var result = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated() {
            if index < lead || index > trail { result.append("\\") }
            result.append(scalar)
        }
        return String(result)
    }
}
