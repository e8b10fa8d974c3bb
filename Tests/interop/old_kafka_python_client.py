"""A client pinned to old Kafka API versions: kafka-python 2.0.2 with a fixed api_version.

Run in a subprocess with PYTHONPATH pointing at an isolated install of kafka-python 2.0.2
(kafka-python 3's bundled schemas start at Produce v3). One command per run, one JSON
line of output:

    produce API_VERSION BOOTSTRAP TOPIC COUNT COMPRESSION START
    consume API_VERSION BOOTSTRAP TOPIC GROUP COUNT   (subscribes in a group, commits, exits)
    consume-assigned API_VERSION BOOTSTRAP TOPIC GROUP COUNT  (0.8.2: no group membership)
"""
import json
import sys
import time

import kafka
from kafka import KafkaConsumer, KafkaProducer, TopicPartition


def version(text: str):
    return tuple(int(part) for part in text.split("."))


def produce(api_version, bootstrap, topic, count, compression, start):
    producer = KafkaProducer(bootstrap_servers=bootstrap, api_version=api_version, acks=1,
                             compression_type=None if compression == "none" else compression,
                             linger_ms=20, retries=0)
    offsets = []
    futures = [producer.send(topic, key=b"key-%d" % i, value=b"value-%d" % i, partition=0)
               for i in range(start, start + count)]
    producer.flush(30)
    for future in futures:
        offsets.append(future.get(timeout=30).offset)
    producer.close(10)
    return {"offsets": offsets}


def consume(api_version, bootstrap, topic, group, count, assigned):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, api_version=api_version, group_id=group,
                             auto_offset_reset="earliest", enable_auto_commit=False,
                             consumer_timeout_ms=20000)
    partition = TopicPartition(topic, 0)
    if assigned:
        consumer.assign([partition])
    else:
        consumer.subscribe([topic])
    got = []
    deadline = time.monotonic() + 60
    while len(got) < count and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500, max_records=count - len(got)).values():
            for record in records:
                got.append({"offset": record.offset, "key": record.key.decode(), "value": record.value.decode(),
                            "timestamp": record.timestamp})
    consumer.commit()
    committed = consumer.committed(partition)
    consumer.close()
    return {"records": got, "committed": committed}


def main(argv):
    command, api_version, bootstrap, topic = argv[1], version(argv[2]), argv[3], argv[4]
    if command == "produce":
        result = produce(api_version, bootstrap, topic, int(argv[5]), argv[6], int(argv[7]))
    else:
        result = consume(api_version, bootstrap, topic, argv[5], int(argv[6]), command == "consume-assigned")
    result["kafka_python"] = kafka.__version__
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv)
