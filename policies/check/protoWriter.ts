/**
 * A minimal protobuf wire-format writer into one growing buffer. google-protobuf builds a
 * message object per Struct field and value and then serializes it: for thousands of resources
 * that was most of the check process's time. Writing the bytes straight from the JSON is many
 * times cheaper; the encoders using this must produce the very bytes google-protobuf writes
 * (same field order, defaults left out the same way, map keys sorted), which their tests check.
 */
export const WIRE = { varint: 0, fixed64: 1, bytes: 2 } as const;

function varintLength(n: number): number {
    let len = 1;
    while (n >= 0x80) {
        n = Math.floor(n / 128);
        len++;
    }
    return len;
}

export class ProtoWriter {
    private buf: Buffer;
    private pos = 0;

    constructor(initialBytes = 64 * 1024) {
        this.buf = Buffer.allocUnsafe(initialBytes);
    }

    private ensure(more: number): void {
        if (this.pos + more <= this.buf.length) return;
        const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + more));
        this.buf.copy(next, 0, 0, this.pos);
        this.buf = next;
    }

    /** An unsigned varint (tags, lengths, enums, bools): values below 2^53. */
    varint(n: number): void {
        this.ensure(10);
        while (n >= 0x80) {
            this.buf[this.pos++] = (n % 128) | 0x80;
            n = Math.floor(n / 128);
        }
        this.buf[this.pos++] = n;
    }

    tag(field: number, wire: number): void {
        this.varint(field * 8 + wire);
    }

    string(field: number, s: string): void {
        this.tag(field, WIRE.bytes);
        this.ensure(5 + s.length * 3);
        if (s.length <= 42) {
            // At most 126 bytes of UTF-8: the length fits the one byte reserved for it.
            const written = this.buf.write(s, this.pos + 1, "utf8");
            this.buf[this.pos] = written;
            this.pos += 1 + written;
            return;
        }
        const len = Buffer.byteLength(s, "utf8");
        this.varint(len);
        this.pos += this.buf.write(s, this.pos, "utf8");
    }

    double(field: number, n: number): void {
        this.tag(field, WIRE.fixed64);
        this.ensure(8);
        this.buf.writeDoubleLE(n, this.pos);
        this.pos += 8;
    }

    /** A length-delimited field of bytes written before (an embedded message). */
    bytes(field: number, bytes: Buffer): void {
        this.tag(field, WIRE.bytes);
        this.varint(bytes.length);
        this.ensure(bytes.length);
        bytes.copy(this.buf, this.pos);
        this.pos += bytes.length;
    }

    /** Opens a length-delimited field; `end` with the returned mark closes it. */
    begin(field: number): number {
        this.tag(field, WIRE.bytes);
        this.ensure(1);
        return this.pos++;
    }

    end(mark: number): void {
        const len = this.pos - mark - 1;
        if (len < 0x80) {
            this.buf[mark] = len;
            return;
        }
        // The length needs more than the one byte reserved: move the content up to make room.
        const extra = varintLength(len) - 1;
        this.ensure(extra);
        this.buf.copyWithin(mark + 1 + extra, mark + 1, this.pos);
        this.pos += extra;
        let n = len;
        let at = mark;
        while (n >= 0x80) {
            this.buf[at++] = (n % 128) | 0x80;
            n = Math.floor(n / 128);
        }
        this.buf[at] = n;
    }

    /** The bytes written since the last `finish` (a copy); the writer starts over. */
    finish(): Buffer {
        const out = Buffer.from(this.buf.subarray(0, this.pos));
        this.pos = 0;
        return out;
    }
}
