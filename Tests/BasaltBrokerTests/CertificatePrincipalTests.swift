import SwiftASN1
import Testing
import X509
@testable import BasaltBroker

/// Certificate subjects printed as Kafka prints them: each case is a DER-encoded X.509
/// Name (made with Python's `cryptography`) and what Java 17's
/// `new X500Principal(der).getName()` returned for it, which is the string Kafka's default
/// principal builder puts after `User:` (and so what ACLs and `super.users` name).
@Suite struct CertificatePrincipalTests {
    static let javaNames: [(der: String, java: String)] = [
        // /C=GB/O=Example/OU=eng/CN=alice: most specific first.
        ("303d310b30090603550406130247423110300e060355040a0c074578616d706c65310c300a060355040b0c03656e67"
            + "310e300c06035504030c05616c696365",
         "CN=alice,OU=eng,O=Example,C=GB"),
        // Comma and plus escaped, UTF-8 kept (the subject of Tests/security's escaped.pem).
        ("30363114301206035504030c0b536d6974682c204a616e65310c300a060355040a0c03522b443110300e0603550407"
            + "0c075ac3bc72696368",
         "L=Zürich,O=R\\+D,CN=Smith\\, Jane"),
        // Java escapes , = + < > # ; " \ wherever they are, not only where RFC 2253 must.
        ("301a3118301606035504030c0f613c623e633b6422655c663d672368",
         "CN=a\\<b\\>c\\;d\\\"e\\\\f\\=g\\#h"),
        // Leading and trailing spaces and carriage returns.
        ("302c311c301a06035504030c132020236c65616420616e6420747261696c2020310c300a060355040a0c030d780d",
         "O=\\\rx\\\r,CN=\\ \\ \\#lead and trail\\ \\ "),
        // NUL as \00; other control characters as they are.
        ("3010310e300c06035504030c056100620163", "CN=a\\00b\u{01}c"),
        // Only CN C L ST O OU STREET DC UID are keywords; email, serial number, title and
        // unknown OIDs are dotted OIDs with the value's DER in lowercase hex.
        ("3081a731133011060a0992268993f22c64011916036f726731173015060a0992268993f22c64011916076578616d70"
            + "6c6531123010060a0992268993f22c6401010c0275313112301006035504090c0931204d61696e205374310d300b"
            + "06035504080c044b656e743114301206092a864886f70d01090116056140622e63310b3009060355040513023432"
            + "310b3009060355040c0c0244723110300e06092b06010401868d1f010c0178",
         "1.3.6.1.4.1.99999.1=#0c0178,2.5.4.12=#0c024472,2.5.4.5=#13023432,1.2.840.113549.1.9.1=#16056140622e63,"
            + "ST=Kent,STREET=1 Main St,UID=u1,DC=example,DC=org"),
        // A multi-valued RDN: + between its attributes, in DER order.
        ("30343110300e060355040a0c074578616d706c653120300c06035504030c05616c6963653010060a0992268993f22c"
            + "6401010c027531",
         "CN=alice+UID=u1,O=Example"),
        // Characters outside the Basic Multilingual Plane.
        ("30153113301106035504030c0a636166c3a920f09f9880", "CN=café 😀"),
    ]

    @Test(arguments: javaNames)
    func subjectIsPrintedAsJavaPrintsIt(_ name: (der: String, java: String)) throws {
        let subject = try distinguishedName(hex: name.der)
        #expect(CertificatePrincipal.rfc2253(subject) == name.java)
    }

    /// T61String and IA5String as text, BMPString decoded as UTF-16BE (as newer JDKs' AVA
    /// does; JDK 17 decodes every string type as UTF-8 and prints `CN=\00b\00m\00p…`),
    /// UniversalString (not a string type to Java) as hex.
    @Test func otherStringTypes() throws {
        let subject = try distinguishedName(hex:
            "304e3115301306035504031e0c0062006d0070002000e94e2d310c300a060355040a1403743631310c300a060355"
            + "040b16036961353119301706035504071c10000000750000006e0000006900000076")
        #expect(CertificatePrincipal.rfc2253(subject) == "L=#1c10000000750000006e0000006900000076,OU=ia5,O=t61,CN=bmp é中")
    }

    /// A UTF8String or BMPString whose bytes are not text in its charset is refused (the
    /// connection is closed) rather than printed with replacement characters.
    @Test(arguments: [
        "300f310d300b06035504030c04c328c328", // UTF8String C3 28: a lead byte without its continuation
        "3011310f300d06035504050c06414243c32844", // the same in serialNumber, which is printed as hex
        "300e310c300a06035504031e03006100",   // BMPString of an odd length
        "300f310d300b06035504031e04d800d800", // BMPString: unpaired surrogates
    ])
    func undecodableValueIsRefused(_ der: String) throws {
        let subject = try distinguishedName(hex: der)
        #expect(CertificatePrincipal.rfc2253(subject) == nil)
    }

    /// A name longer than `maxNameBytes` is refused.
    @Test func overlongNameIsRefused() throws {
        let long = String(repeating: "x", count: CertificatePrincipal.maxNameBytes)
        let subject = try DistinguishedName([RelativeDistinguishedName.Attribute(type: .RDNAttributeType.commonName,
                                                                                  utf8String: long)])
        #expect(CertificatePrincipal.rfc2253(subject) == nil)
        let fits = try DistinguishedName([RelativeDistinguishedName.Attribute(
            type: .RDNAttributeType.commonName, utf8String: String(long.dropLast(3)))])
        #expect(CertificatePrincipal.rfc2253(fits) == "CN=" + long.dropLast(3))
    }

    /// Bytes that are not a certificate give no principal.
    @Test func notACertificate() {
        #expect(CertificatePrincipal.principal(derEncoded: []) == nil)
        #expect(CertificatePrincipal.principal(derEncoded: [0x30, 0x03, 0x02, 0x01, 0x00]) == nil)
    }

    /// The Name in `hex`, through the node initialiser: the `[UInt8]` one goes through the
    /// deprecated implicitly-tagged conformance.
    private func distinguishedName(hex: String) throws -> DistinguishedName {
        let parse: (ASN1Node) throws -> DistinguishedName = DistinguishedName.init(derEncoded:)
        return try parse(DER.parse(bytes(hex: hex)))
    }

    private func bytes(hex: String) throws -> [UInt8] {
        let digits = Array(hex.utf8)
        try #require(digits.count.isMultiple(of: 2))
        return try stride(from: 0, to: digits.count, by: 2).map {
            try #require(UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16))
        }
    }
}
