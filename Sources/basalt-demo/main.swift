// A short tour of the embedded API: `make run` builds and runs it.
import Basalt

let directory = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "./data"
let store = try Store(directory: directory)
let topic = try (try? store.topic("greetings")) ?? store.createTopic("greetings", partitions: 3)

let names = ["ada", "grace", "edsger", "barbara", "ken"]
for name in names {
    let (partition, result) = try await topic.append([
        Record(key: Array(name.utf8), value: Array("hello, \(name)".utf8), headers: [RecordHeader(key: "lang", value: Array("en".utf8))]),
    ])
    print("appended key \(name) to partition \(partition) at offset \(result.baseOffset)")
}

let consumer = try store.consumer(group: "demo", topic: "greetings")
let records = try await consumer.poll(maxRecords: 100, timeout: .milliseconds(100))
for record in records {
    let value = record.value.map { String(decoding: $0, as: UTF8.self) } ?? "null"
    print("partition \(record.partition) offset \(record.offset): \(value)")
}
try await consumer.commit()
print("committed; run again and the group \"demo\" reads only what was appended since")
try store.close()
