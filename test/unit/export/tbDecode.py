"""Independent decoder of TensorBoard event files for the export tests.

Reads TFRecords (uint64 length, masked CRC-32C of the length, data, masked CRC-32C of the data),
checks both CRCs with the crc32c package, and parses each record as tensorflow.Event with
message classes built at run time from descriptor_pb2 (the field numbers of TensorFlow's
event.proto and summary.proto), since TensorBoard's own protos are not installed. Prints JSON:
{"crc": "123456789" check value, "events": [...]}. Usage: tbDecode.py FILE
"""
import json
import struct
import sys

import crc32c
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto


def build():
    fd = descriptor_pb2.FileDescriptorProto(name="gs_event.proto", package="tensorflow", syntax="proto3")

    def msg(name, fields):
        m = fd.message_type.add(name=name)
        for fname, num, ftype, label, type_name in fields:
            f = m.field.add(name=fname, number=num, type=ftype, label=label)
            if type_name:
                f.type_name = type_name
        return m

    opt, rep = F.LABEL_OPTIONAL, F.LABEL_REPEATED
    msg("HistogramProto", [
        ("min", 1, F.TYPE_DOUBLE, opt, None), ("max", 2, F.TYPE_DOUBLE, opt, None), ("num", 3, F.TYPE_DOUBLE, opt, None),
        ("sum", 4, F.TYPE_DOUBLE, opt, None), ("sum_squares", 5, F.TYPE_DOUBLE, opt, None),
        ("bucket_limit", 6, F.TYPE_DOUBLE, rep, None), ("bucket", 7, F.TYPE_DOUBLE, rep, None),
    ])
    summary = msg("Summary", [("value", 1, F.TYPE_MESSAGE, rep, ".tensorflow.Summary.Value")])
    value = summary.nested_type.add(name="Value")
    value.field.add(name="tag", number=1, type=F.TYPE_STRING, label=opt)
    value.field.add(name="simple_value", number=2, type=F.TYPE_FLOAT, label=opt, oneof_index=0)
    value.field.add(name="histo", number=5, type=F.TYPE_MESSAGE, label=opt, type_name=".tensorflow.HistogramProto", oneof_index=0)
    value.oneof_decl.add(name="value")
    ev = msg("Event", [
        ("wall_time", 1, F.TYPE_DOUBLE, opt, None), ("step", 2, F.TYPE_INT64, opt, None),
        ("file_version", 3, F.TYPE_STRING, opt, None), ("summary", 5, F.TYPE_MESSAGE, opt, ".tensorflow.Summary"),
    ])
    for f in ev.field:
        if f.name in ("file_version", "summary"):
            f.oneof_index = 0
    ev.oneof_decl.add(name="what")
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fd)
    desc = pool.FindMessageTypeByName("tensorflow.Event")
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(desc)
    return message_factory.MessageFactory(pool).GetPrototype(desc)


def masked(data):
    c = crc32c.crc32c(data)
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def main(path):
    Event = build()
    data = open(path, "rb").read()
    at, events = 0, []
    while at < len(data):
        header = data[at:at + 8]
        (length,) = struct.unpack("<Q", header)
        (len_crc,) = struct.unpack("<I", data[at + 8:at + 12])
        if len_crc != masked(header):
            raise SystemExit(f"bad length CRC at offset {at}")
        body = data[at + 12:at + 12 + length]
        (body_crc,) = struct.unpack("<I", data[at + 12 + length:at + 16 + length])
        if body_crc != masked(body):
            raise SystemExit(f"bad data CRC at offset {at}")
        at += 16 + length
        e = Event()
        e.ParseFromString(body)
        out = {"wall_time": e.wall_time, "step": e.step}
        if e.WhichOneof("what") == "file_version":
            out["file_version"] = e.file_version
        else:
            vals = []
            for v in e.summary.value:
                if v.WhichOneof("value") == "histo":
                    h = v.histo
                    vals.append({"tag": v.tag, "histo": {"min": h.min, "max": h.max, "num": h.num, "sum": h.sum, "sum_squares": h.sum_squares,
                                                         "bucket_limit": list(h.bucket_limit), "bucket": list(h.bucket)}})
                else:
                    vals.append({"tag": v.tag, "simple_value": v.simple_value})
            out["values"] = vals
        events.append(out)
    print(json.dumps({"crc": crc32c.crc32c(b"123456789"), "events": events}, allow_nan=True))


if __name__ == "__main__":
    main(sys.argv[1])
