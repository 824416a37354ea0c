#!/usr/bin/env python3
"""Independent minimal safetensors reader (json + struct only) used by test_bundle to prove our
files follow the spec: 8-byte LE header length, JSON header padded to 8 bytes, tensors tiling
the data buffer in order. Prints {"header_len", "metadata", "tensors": {name: {dtype, shape,
values}}} as JSON; exits non-zero with a message on any spec violation."""
import json
import struct
import sys

FORMATS = {"F64": ("d", 8), "F32": ("f", 4), "F16": ("e", 2), "I64": ("q", 8), "I32": ("i", 4), "U8": ("B", 1)}


def fail(msg):
    sys.stderr.write("spec violation: " + msg + "\n")
    sys.exit(2)


def decode(dtype, raw):
    if dtype == "BF16":
        n = len(raw) // 2
        return [struct.unpack("<f", b"\x00\x00" + raw[2 * i:2 * i + 2])[0] for i in range(n)]
    code, size = FORMATS[dtype]
    return list(struct.unpack("<%d%s" % (len(raw) // size, code), raw))


def main(path):
    blob = open(path, "rb").read()
    (n,) = struct.unpack("<Q", blob[:8])
    if n % 8 != 0:
        fail("header length %d is not a multiple of 8" % n)
    text = blob[8:8 + n].decode("utf-8")
    stripped = text.rstrip(" ")
    if not stripped.endswith("}"):
        fail("header padding is not spaces")
    header = json.loads(stripped)
    data = blob[8 + n:]
    metadata = header.pop("__metadata__", {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        fail("metadata is not str -> str")
    entries = sorted(header.items(), key=lambda kv: kv[1]["data_offsets"])
    offset = 0
    tensors = {}
    for name, info in entries:
        begin, end = info["data_offsets"]
        if begin != offset:
            fail("%s starts at %d, expected %d" % (name, begin, offset))
        size = 2 if info["dtype"] in ("F16", "BF16") else FORMATS[info["dtype"]][1]
        numel = 1
        for d in info["shape"]:
            numel *= d
        if end - begin != numel * size:
            fail("%s byte size mismatch" % name)
        if (8 + n + begin) % size != 0:
            fail("%s is not aligned to its element size" % name)
        tensors[name] = {"dtype": info["dtype"], "shape": info["shape"], "values": decode(info["dtype"], data[begin:end])}
        offset = end
    if offset != len(data):
        fail("%d trailing bytes" % (len(data) - offset))
    json.dump({"header_len": n, "metadata": metadata, "tensors": tensors}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
