"""Writing small PDFs from raw object bodies, for tests that need exact control over their bytes."""

from __future__ import annotations

import io


def raw_pdf(objects: list[bytes], version: bytes = b"1.7") -> bytes:
    """A PDF of the given object bodies (object 1 must be the catalog), with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-" + version + b"\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()
