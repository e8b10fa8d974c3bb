import Basalt
import Foundation
import Testing

/// `basalt-inspect verify` over stores whose topic, cursor, checkpoint, index or log
/// file was replaced by hostile bytes: it reports and exits 0, 1 or 2, never traps (a
/// trap ends the child with a signal, which `terminationStatus` reports as 4 or 5).
@Suite struct VerifyHostileFilesTests {
    @Test func verifyReportsDamagedFilesWithoutCrashing() async throws {
        let directory = TemporaryDirectory()
        let template = directory.child("template")
        try await Fixture.writeStore(template)
        let partition = "t-0/"
        let firstLog = SegmentFileName.name(0, SegmentFileName.log)
        let damages: [(file: String, bytes: [UInt8])] = [
            ("topics/t.json", [UInt8](repeating: UInt8(ascii: " "), count: 10 << 20)),
            ("topics/t.json", [0xff, 0x00, 0x7b]),
            ("cursors/g.json", Array("{\"version\":1,\"group\":\"g\",\"offsets\":[{\"partition\":99999999999}]}".utf8)),
            (partition + PartitionCheckpointFile.fileName, [UInt8](repeating: 0x7f, count: 5000)),
            (partition + PartitionCheckpointFile.fileName, Array("basalt-partition-checkpoint 1\nrecovery-point -1\n".utf8)),
            (partition + SegmentFileName.name(0, SegmentFileName.offsetIndex), [0x7f, 0xff, 0xff, 0xff, 0x80, 0, 0, 0, 1, 2, 3]),
            (partition + SegmentFileName.name(0, SegmentFileName.timeIndex), [UInt8](repeating: 0xff, count: 4096)),
            (partition + firstLog, [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff] + [UInt8](repeating: 0xff, count: 200)),
        ]
        for (number, damage) in damages.enumerated() {
            let store = directory.child("case-\(number)")
            try FileManager.default.copyItem(atPath: template, toPath: store)
            FileBytes.write(store + "/" + damage.file, damage.bytes)
            let result = try InspectProcess.run(["verify", store])
            #expect(result.status == 1, "verify of a store with a damaged \(damage.file) exited \(result.status): \(result.error)")
            #expect(result.output.contains(damage.file.split(separator: "/").last.map(String.init) ?? damage.file),
                    "verify does not name \(damage.file): \(result.output)")
        }
    }
}
